#include "ui/panels/variation_strip.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QToolButton>
#include <QVBoxLayout>

namespace latentshop::ui {

namespace {

constexpr int kThumbW = 112;
constexpr int kThumbH = 84;
constexpr int kReadyRole = Qt::UserRole + 1;

// The image letterboxed into a thumbnail (a dim tile when none yet).
QIcon thumbnail(const QImage& image, bool dim) {
  QImage tile(kThumbW, kThumbH, QImage::Format_ARGB32_Premultiplied);
  tile.fill(QColor(40, 40, 44));
  if (!image.isNull()) {
    const QImage scaled = image.scaled(kThumbW, kThumbH, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    QPainter p(&tile);
    if (dim) p.setOpacity(0.6);
    p.drawImage((kThumbW - scaled.width()) / 2, (kThumbH - scaled.height()) / 2, scaled);
  }
  return QIcon(QPixmap::fromImage(tile));
}

}  // namespace

VariationStrip::VariationStrip(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("VariationStrip"));
  setFrameShape(QFrame::StyledPanel);
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(6, 4, 6, 4);
  auto* side = new QVBoxLayout;
  title_ = new QLabel(tr("Variations"), this);
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  discardAll_ = new QToolButton(this);
  discardAll_->setText(tr("Discard all"));
  discardAll_->setToolTip(tr("Drop every variation (Delete)"));
  side->addWidget(title_);
  side->addWidget(discardAll_);
  side->addStretch(1);
  list_ = new QListWidget(this);
  list_->setViewMode(QListView::IconMode);
  list_->setFlow(QListView::LeftToRight);
  list_->setWrapping(false);
  list_->setMovement(QListView::Static);
  list_->setIconSize(QSize(kThumbW, kThumbH));
  list_->setSpacing(4);
  list_->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  list_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  list_->setFixedHeight(kThumbH + 48);
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  row->addLayout(side);
  row->addWidget(list_, 1);
  connect(list_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    const int index = list_->row(item);
    if (isReady(index)) {
      Q_EMIT candidateChosen(index);
    } else if (current_ >= 0) {
      list_->setCurrentRow(current_);  // not ready yet: keep the highlight on the shown one
    }
  });
  connect(discardAll_, &QToolButton::clicked, this, &VariationStrip::discardAllRequested);
  setVisible(false);
}

void VariationStrip::begin(int count) {
  list_->clear();
  current_ = -1;
  for (int i = 0; i < count; ++i) {
    auto* item = new QListWidgetItem(thumbnail(QImage(), true), tr("waiting"), list_);
    item->setData(kReadyRole, false);
    item->setSizeHint(QSize(kThumbW + 8, kThumbH + 30));
    item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
  }
  title_->setText(tr("Variations (%1)").arg(count));
  setVisible(count > 0);
  if (count > 0) setRunning(0);
}

void VariationStrip::setRunning(int index) {
  if (QListWidgetItem* item = list_->item(index)) item->setText(tr("running\u2026"));
}

void VariationStrip::setPreview(int index, const QImage& image) {
  QListWidgetItem* item = list_->item(index);
  if (item && !item->data(kReadyRole).toBool()) item->setIcon(thumbnail(image, true));
}

void VariationStrip::setProgressText(int index, const QString& text) {
  QListWidgetItem* item = list_->item(index);
  if (item && !item->data(kReadyRole).toBool()) item->setText(text);
}

void VariationStrip::setCandidate(int index, const QImage& image, const QString& label) {
  QListWidgetItem* item = list_->item(index);
  if (!item) return;
  item->setIcon(thumbnail(image, false));
  item->setText(label);
  item->setToolTip(tr("Click to see this one on the canvas"));
  item->setData(kReadyRole, true);
}

void VariationStrip::setFailed(int index, const QString& why) {
  if (QListWidgetItem* item = list_->item(index)) {
    item->setText(tr("not made"));
    item->setToolTip(why);
  }
}

void VariationStrip::setCurrent(int index) {
  current_ = index;
  list_->setCurrentRow(index);
}

void VariationStrip::clear() {
  list_->clear();
  current_ = -1;
  setVisible(false);
}

int VariationStrip::count() const { return list_->count(); }

bool VariationStrip::isReady(int index) const {
  const QListWidgetItem* item = list_->item(index);
  return item && item->data(kReadyRole).toBool();
}

}  // namespace latentshop::ui
