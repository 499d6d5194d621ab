#include "ui/panels/model_picker.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QActionGroup>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>

#include "engine/io/model_defaults.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/model_folder_signal.h"
#include "ui/panels/model_settings.h"

namespace latentshop::ui {

namespace {

QString shortName(const QString& path) {
  const QString demoRoot = ModelSettings::demoModelsFolder();
  if (!demoRoot.isEmpty() && QDir::cleanPath(path).startsWith(demoRoot + QLatin1Char('/')))
    return QCoreApplication::translate("ModelPicker", "Built-in demo (%1)").arg(QFileInfo(path).fileName());
  const QFileInfo fi(path);
  return fi.fileName().isEmpty() ? path : fi.fileName();
}

}  // namespace

ModelPicker::ModelPicker(ModelSettings* settings, QWidget* parent) : QWidget(parent), settings_(settings) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  auto* row = new QHBoxLayout;
  row->setSpacing(4);
  list_ = new QComboBox(this);
  list_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  list_->setMinimumContentsLength(12);
  list_->setToolTip(tr("The Stable Diffusion model this tool uses"));
  folder_ = new QToolButton(this);
  folder_->setText(tr("Folder\u2026"));
  folder_->setToolTip(tr("Choose a diffusers model folder (with model_index.json)"));
  file_ = new QToolButton(this);
  file_->setText(tr("File\u2026"));
  file_->setToolTip(tr("Choose a single-file SD 1.x checkpoint (.safetensors)"));
  settingsButton_ = new QToolButton(this);
  settingsButton_->setText(tr("Settings"));
  settingsButton_->setToolTip(tr("Compute precision and live preview, shared by the diffusion tools"));
  settingsButton_->setPopupMode(QToolButton::InstantPopup);
  settingsMenu_ = new QMenu(settingsButton_);
  settingsButton_->setMenu(settingsMenu_);
  connect(settingsMenu_, &QMenu::aboutToShow, this, &ModelPicker::fillSettingsMenu);
  fillSettingsMenu();
  row->addWidget(list_, 1);
  row->addWidget(folder_);
  row->addWidget(file_);
  row->addWidget(settingsButton_);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextFormat(Qt::RichText);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  load_ = new QPushButton(tr("Load model"), this);
  load_->setToolTip(tr("Load the model now, so the first edit starts at once (it is loaded on first use otherwise)"));
  getModels_ = new QToolButton(this);
  getModels_->setText(tr("Get models\u2026"));
  getModels_->setToolTip(tr("Download Stable Diffusion checkpoints (inpainting, instruct, previews) into your models folder"));
  progress_ = new JobProgressWidget(this);
  layout->addLayout(row);
  layout->addWidget(status_);
  auto* loadRow = new QHBoxLayout;
  loadRow->setSpacing(4);
  loadRow->addWidget(load_, 1);
  loadRow->addWidget(getModels_);
  layout->addLayout(loadRow);
  layout->addWidget(progress_);

  connect(list_, &QComboBox::activated, this, [this](int index) {
    const QString path = list_->itemData(index).toString();
    if (!path.isEmpty() && path != settings_->modelPath()) settings_->setModelPath(path);
  });
  connect(folder_, &QToolButton::clicked, this, &ModelPicker::chooseFolder);
  connect(file_, &QToolButton::clicked, this, &ModelPicker::chooseFile);
  connect(load_, &QPushButton::clicked, this, &ModelPicker::loadRequested);
  connect(getModels_, &QToolButton::clicked, this, [this] {
    Q_EMIT getModelsRequested();
    ModelFolderSignal::requestManager(this);
  });
  connect(ModelFolderSignal::instance(), &ModelFolderSignal::changed, this, &ModelPicker::refresh);
  connect(settings_, &ModelSettings::modelChanged, this, &ModelPicker::refresh);
  refresh();
}

QString ModelPicker::statusText() const {
  QTextDocument doc;
  doc.setHtml(status_->text());
  return doc.toPlainText();
}

void ModelPicker::setBusy(bool busy) {
  busy_ = busy;
  refresh();
}

void ModelPicker::refresh() {
  const QString current = settings_->modelPath();
  list_->clear();
  QStringList paths;
  if (!current.isEmpty()) paths << current;
  for (const QString& p : ModelSettings::recentModels() + ModelSettings::modelsInFolder(ModelSettings::defaultModelsFolder()))
    if (!paths.contains(p)) paths << p;
  const QString demo = ModelSettings::demoModel(settings_->tool());
  if (!demo.isEmpty() && !paths.contains(demo)) paths << demo;
  if (paths.isEmpty()) list_->addItem(tr("(no model)"), QString());
  for (const QString& p : paths) {
    list_->addItem(shortName(p), p);
    list_->setItemData(list_->count() - 1, p, Qt::ToolTipRole);
  }
  list_->setCurrentIndex(0);
  list_->setToolTip(current.isEmpty() ? tr("No model chosen") : current);

  QString html;
  if (current.isEmpty()) {
    html = settings_->validationMessage();  // the help text (rich)
  } else if (settings_->isChecking()) {
    html = tr("Checking\u2026");
  } else if (settings_->isValid()) {
    html = QStringLiteral("\u2714 ") +
           QString::fromStdString(latentshop::describeKind(settings_->kind().toStdString())).toHtmlEscaped();
    if (settings_->isDemoModel())
      html += QStringLiteral("<br>") + tr("Built-in demo model: tiny, trained by Latentshop on simple shapes at 32 px, "
                                          "so every tool can be tried without a download. Choose a real SD 1.x "
                                          "model for real photos.");
    std::string problem;
    const auto defaults = latentshop::readModelDefaultsOrNone(current.toStdString(), &problem);
    if (!problem.empty())
      html += QStringLiteral("<br>\u26a0 ") +
              tr("Its recommended settings are ignored: %1").arg(QString::fromStdString(problem).toHtmlEscaped());
    else if (defaults.guidanceScale)
      html += QStringLiteral("<br>") + tr("Recommended guidance: %1 (its %2)")
                                           .arg(*defaults.guidanceScale)
                                           .arg(QString::fromLatin1(latentshop::kModelDefaultsFile));
  } else {
    html = QStringLiteral("<b>\u2718</b> ") + settings_->validationMessage().toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
  }
  status_->setText(html);
  list_->setEnabled(!busy_);
  folder_->setEnabled(!busy_);
  file_->setEnabled(!busy_);
  load_->setEnabled(!busy_ && settings_->isValid());
}

void ModelPicker::fillSettingsMenu() {
  settingsMenu_->clear();
  settingsMenu_->addSection(tr("Compute"));
  auto* dtypes = new QActionGroup(settingsMenu_);
  const QString dtype = ModelSettings::computeDtype();
  const std::pair<QString, QString> choices[] = {
      {QString(), tr("Default (CPU fp32, CUDA fp16)")}, {QStringLiteral("fp32"), tr("fp32")}, {QStringLiteral("bf16"), tr("bf16 (faster on recent CPUs)")}};
  for (const auto& [id, label] : choices) {
    QAction* a = settingsMenu_->addAction(label);
    a->setCheckable(true);
    a->setChecked(id == dtype);
    a->setData(id);
    dtypes->addAction(a);
    connect(a, &QAction::triggered, this, [this, id = id] {
      ModelSettings::setComputeDtype(id);
      settings_->recheck();
    });
  }
  settingsMenu_->addSection(tr("Live preview"));
  auto* previews = new QActionGroup(settingsMenu_);
  const QString taesd = ModelSettings::taesdPath();
  QAction* linear = settingsMenu_->addAction(tr("Linear latent\u2192RGB (fastest)"));
  linear->setCheckable(true);
  linear->setChecked(taesd.isEmpty());
  previews->addAction(linear);
  connect(linear, &QAction::triggered, this, [] { ModelSettings::setTaesdPath(QString()); });
  QAction* tiny = settingsMenu_->addAction(taesd.isEmpty() ? tr("TAESD decoder folder\u2026")
                                                           : tr("TAESD: %1\u2026").arg(shortName(taesd)));
  tiny->setCheckable(true);
  tiny->setChecked(!taesd.isEmpty());
  tiny->setToolTip(taesd);
  previews->addAction(tiny);
  connect(tiny, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a TAESD folder (taesd_decoder or diffusers AutoencoderTiny)"),
                                                          ModelSettings::taesdPath().isEmpty() ? ModelSettings::defaultModelsFolder()
                                                                                              : ModelSettings::taesdPath());
    if (!dir.isEmpty()) ModelSettings::setTaesdPath(dir);
  });
}

void ModelPicker::chooseFolder() {
  const QString start = settings_->modelPath().isEmpty() ? ModelSettings::defaultModelsFolder() : settings_->modelPath();
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a diffusers model folder"), start);
  if (!dir.isEmpty()) settings_->setModelPath(dir);
}

void ModelPicker::chooseFile() {
  const QString start = settings_->modelPath().isEmpty() ? ModelSettings::defaultModelsFolder() : QFileInfo(settings_->modelPath()).path();
  const QString file = QFileDialog::getOpenFileName(this, tr("Choose an SD 1.x checkpoint"), start,
                                                    tr("Safetensors checkpoints (*.safetensors)"));
  if (!file.isEmpty()) settings_->setModelPath(file);
}

}  // namespace latentshop::ui
