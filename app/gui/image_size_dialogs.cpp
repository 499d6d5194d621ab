#include "app/gui/image_size_dialogs.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>

namespace latentshop::ui {

namespace {

constexpr int kMaxSide = 30000;

QSpinBox* sideBox(QWidget* parent, int value) {
  auto* box = new QSpinBox(parent);
  box->setRange(1, kMaxSide);
  box->setSuffix(QObject::tr(" px"));
  box->setValue(value);
  return box;
}

QComboBox* fillBox(QWidget* parent) {
  auto* box = new QComboBox(parent);
  box->addItem(QObject::tr("White"), QColor(Qt::white));
  box->addItem(QObject::tr("Black"), QColor(Qt::black));
  box->addItem(QObject::tr("Transparent"), QColor(Qt::transparent));
  return box;
}

bool run(QDialog& dialog, QFormLayout* form) {
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  form->addRow(buttons);
  return dialog.exec() == QDialog::Accepted;
}

}  // namespace

std::optional<NewDocumentSpec> askNewDocument(QWidget* parent, const QSize& suggested) {
  QDialog dialog(parent);
  dialog.setWindowTitle(QObject::tr("New image"));
  auto* form = new QFormLayout(&dialog);
  QSpinBox* w = sideBox(&dialog, suggested.width());
  QSpinBox* h = sideBox(&dialog, suggested.height());
  QComboBox* fill = fillBox(&dialog);
  form->addRow(QObject::tr("Width"), w);
  form->addRow(QObject::tr("Height"), h);
  form->addRow(QObject::tr("Background"), fill);
  if (!run(dialog, form)) return std::nullopt;
  return NewDocumentSpec{QSize(w->value(), h->value()), fill->currentData().value<QColor>()};
}

std::optional<QSize> askImageSize(QWidget* parent, const QSize& current) {
  QDialog dialog(parent);
  dialog.setWindowTitle(QObject::tr("Resize image"));
  auto* form = new QFormLayout(&dialog);
  QSpinBox* w = sideBox(&dialog, current.width());
  QSpinBox* h = sideBox(&dialog, current.height());
  auto* keep = new QCheckBox(QObject::tr("Keep proportions"), &dialog);
  keep->setChecked(true);
  bool syncing = false;
  QObject::connect(w, &QSpinBox::valueChanged, &dialog, [&](int v) {
    if (!keep->isChecked() || syncing) return;
    syncing = true;
    h->setValue(std::max(1, int(std::lround(double(v) * current.height() / current.width()))));
    syncing = false;
  });
  QObject::connect(h, &QSpinBox::valueChanged, &dialog, [&](int v) {
    if (!keep->isChecked() || syncing) return;
    syncing = true;
    w->setValue(std::max(1, int(std::lround(double(v) * current.width() / current.height()))));
    syncing = false;
  });
  form->addRow(QObject::tr("Width"), w);
  form->addRow(QObject::tr("Height"), h);
  form->addRow(QString(), keep);
  if (!run(dialog, form)) return std::nullopt;
  return QSize(w->value(), h->value());
}

std::optional<CanvasSizeSpec> askCanvasSize(QWidget* parent, const QSize& current) {
  QDialog dialog(parent);
  dialog.setWindowTitle(QObject::tr("Canvas size"));
  auto* form = new QFormLayout(&dialog);
  QSpinBox* w = sideBox(&dialog, current.width());
  QSpinBox* h = sideBox(&dialog, current.height());
  auto* anchor = new QComboBox(&dialog);
  const std::pair<const char*, Qt::Alignment> anchors[] = {
      {"Centre", Qt::AlignCenter},           {"Top left", Qt::AlignTop | Qt::AlignLeft},
      {"Top", Qt::AlignTop | Qt::AlignHCenter}, {"Top right", Qt::AlignTop | Qt::AlignRight},
      {"Left", Qt::AlignVCenter | Qt::AlignLeft}, {"Right", Qt::AlignVCenter | Qt::AlignRight},
      {"Bottom left", Qt::AlignBottom | Qt::AlignLeft}, {"Bottom", Qt::AlignBottom | Qt::AlignHCenter},
      {"Bottom right", Qt::AlignBottom | Qt::AlignRight}};
  for (const auto& [name, align] : anchors) anchor->addItem(QObject::tr(name), int(align));
  QComboBox* fill = fillBox(&dialog);
  form->addRow(QObject::tr("Width"), w);
  form->addRow(QObject::tr("Height"), h);
  form->addRow(QObject::tr("Image sits at"), anchor);
  form->addRow(QObject::tr("New area"), fill);
  if (!run(dialog, form)) return std::nullopt;
  return CanvasSizeSpec{QSize(w->value(), h->value()), Qt::Alignment(anchor->currentData().toInt()),
                        fill->currentData().value<QColor>()};
}

}  // namespace latentshop::ui
