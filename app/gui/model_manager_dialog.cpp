// ModelManagerDialog: the list of installable checkpoints and the download controls.
#include "app/gui/model_manager_dialog.h"

#include <QCoreApplication>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include "app/download/model_downloader.h"
#include "engine/io/model_install.h"
#include "ui/panels/model_folder_signal.h"
#include "ui/panels/model_settings.h"

namespace latentshop::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

QString usesText(const latentshop::ManifestModel& m) {
  QStringList uses;
  for (const auto& u : m.uses) {
    if (u == "inpaint") uses << QObject::tr("Inpaint");
    else if (u == "instruct") uses << QObject::tr("Instruct");
    else if (u == "drag") uses << QObject::tr("Drag");
    else if (u == "preview") uses << QObject::tr("Live preview");
    else uses << q(u);
  }
  return uses.join(QStringLiteral(", "));
}

QString timeLeft(double seconds) {
  if (seconds <= 0 || seconds > 1e7) return {};
  if (seconds < 90) return QObject::tr("%1 s left").arg(int(seconds + 0.5));
  if (seconds < 5400) return QObject::tr("%1 min left").arg(int(seconds / 60 + 0.5));
  return QObject::tr("%1 h left").arg(seconds / 3600, 0, 'f', 1);
}

}  // namespace

QString ModelManagerDialog::manifestPath() {
  if (qEnvironmentVariableIsSet("LATENTSHOP_MODEL_MANIFEST")) return qEnvironmentVariable("LATENTSHOP_MODEL_MANIFEST");
  QStringList candidates{QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/latentshop/models/manifest.json"))};
#ifdef LATENTSHOP_SOURCE_DIR
  candidates << QStringLiteral(LATENTSHOP_SOURCE_DIR "/models/manifest.json");
#endif
  for (const QString& c : candidates)
    if (QFileInfo(c).isFile()) return QDir::cleanPath(QFileInfo(c).absoluteFilePath());
  return {};
}

QString ModelManagerDialog::endpointSetting() { return QSettings().value(QStringLiteral("models/endpoint")).toString(); }
QString ModelManagerDialog::tokenSetting() { return QSettings().value(QStringLiteral("models/token")).toString(); }

ModelManagerDialog::ModelManagerDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Models"));
  const QString path = manifestPath();
  try {
    if (path.isEmpty()) throw std::runtime_error("models/manifest.json was not found beside the program");
    manifest_ = latentshop::readModelManifest(path.toStdString());
  } catch (const std::exception& e) {
    manifestError_ = QString::fromStdString(e.what());
  }

  auto* layout = new QVBoxLayout(this);
  folderLabel_ = new QLabel(this);
  folderLabel_->setWordWrap(true);
  folderLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(folderLabel_);

  list_ = new QTreeWidget(this);
  list_->setHeaderLabels({tr("Model"), tr("Used by"), tr("Size"), tr("State")});
  list_->setRootIsDecorated(false);
  list_->setAllColumnsShowFocus(true);
  list_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  list_->header()->setStretchLastSection(false);
  for (int c = 1; c < 4; ++c) list_->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  layout->addWidget(list_, 1);

  details_ = new QLabel(this);
  details_->setWordWrap(true);
  details_->setOpenExternalLinks(true);
  details_->setTextFormat(Qt::RichText);
  details_->setMinimumHeight(details_->fontMetrics().lineSpacing() * 3);
  layout->addWidget(details_);

  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setTextVisible(true);
  progress_->setVisible(false);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(progress_);
  layout->addWidget(status_);

  auto* buttons = new QHBoxLayout;
  download_ = new QPushButton(tr("Download"), this);
  cancel_ = new QPushButton(tr("Cancel Download"), this);
  delete_ = new QPushButton(tr("Delete"), this);
  open_ = new QPushButton(tr("Open Folder"), this);
  buttons->addWidget(download_);
  buttons->addWidget(cancel_);
  buttons->addStretch(1);
  buttons->addWidget(delete_);
  buttons->addWidget(open_);
  layout->addLayout(buttons);

  auto* connection = new QFormLayout;
  token_ = new QLineEdit(tokenSetting(), this);
  token_->setEchoMode(QLineEdit::Password);
  token_->setPlaceholderText(tr("only for gated repositories (hf_…)"));
  token_->setToolTip(tr("A Hugging Face access token, sent only to the endpoint below"));
  endpoint_ = new QLineEdit(endpointSetting(), this);
  endpoint_->setPlaceholderText(q(latentshop::defaultHubEndpoint()));
  endpoint_->setToolTip(tr("The Hub or a mirror (as HF_ENDPOINT); empty: %1").arg(q(latentshop::defaultHubEndpoint())));
  connection->addRow(tr("Access token:"), token_);
  connection->addRow(tr("Endpoint:"), endpoint_);
  layout->addLayout(connection);

  auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
  layout->addWidget(close);
  connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(token_, &QLineEdit::editingFinished, this, &ModelManagerDialog::saveConnection);
  connect(endpoint_, &QLineEdit::editingFinished, this, &ModelManagerDialog::saveConnection);
  connect(list_, &QTreeWidget::currentItemChanged, this, &ModelManagerDialog::updateButtons);
  connect(download_, &QPushButton::clicked, this, &ModelManagerDialog::startOrPause);
  connect(cancel_, &QPushButton::clicked, this, &ModelManagerDialog::cancelDownload);
  connect(delete_, &QPushButton::clicked, this, &ModelManagerDialog::deleteModel);
  connect(open_, &QPushButton::clicked, this, &ModelManagerDialog::openFolder);

  refreshRows();
  if (list_->topLevelItemCount() > 0) list_->setCurrentItem(list_->topLevelItem(0));
  updateButtons();
  resize(720, 480);
}

ModelManagerDialog::~ModelManagerDialog() = default;

QString ModelManagerDialog::modelsDir() const { return ModelSettings::defaultModelsFolder(); }

void ModelManagerDialog::saveConnection() {
  QSettings s;
  s.setValue(QStringLiteral("models/token"), token_->text().trimmed());
  s.setValue(QStringLiteral("models/endpoint"), endpoint_->text().trimmed());
}

std::optional<latentshop::InstalledModel> ModelManagerDialog::installState(const std::string& id) const {
  try {
    return latentshop::findInstalledModel(modelsDir().toStdString(), id);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

QString ModelManagerDialog::stateText(const QString& id) const {
  if (downloader_ && downloader_->isRunning() && downloader_->modelId() == id) {
    const auto& p = downloader_->progress();
    return p.total > 0 ? tr("Downloading %1 %").arg(int(100 * p.done / p.total)) : tr("Downloading");
  }
  const auto state = installState(id.toStdString());
  if (!state) return tr("Not installed");
  if (state->partial) {
    const auto* m = manifest_.find(id.toStdString());
    const double total = m ? m->sizeGb * 1e9 : 0;
    return total > 0 ? tr("Paused at %1 %").arg(std::min(99, int(100 * double(state->partialBytes) / total)))
                     : tr("Paused (%1)").arg(ModelDownloader::formatBytes(qint64(state->partialBytes)));
  }
  return tr("Installed (%1)").arg(ModelDownloader::formatBytes(qint64(state->bytes)));
}

void ModelManagerDialog::refreshRows() {
  folderLabel_->setText(manifestError_.isEmpty()
                            ? tr("Models are installed into %1, where every model picker finds them.").arg(modelsDir())
                            : tr("No model list: %1").arg(manifestError_));
  const QString current = selectedId();
  list_->clear();
  for (const auto& m : manifest_.models) {
    auto* item = new QTreeWidgetItem(list_);
    item->setText(0, q(m.name));
    item->setText(1, usesText(m));
    item->setText(2, m.sizeGb >= 1 ? tr("%1 GB").arg(m.sizeGb, 0, 'f', 1) : tr("%1 MB").arg(m.sizeGb * 1000, 0, 'f', 0));
    item->setText(3, stateText(q(m.id)));
    item->setData(0, Qt::UserRole, q(m.id));
    item->setToolTip(0, q(m.repo));
  }
  if (!current.isEmpty()) select(current);
}

bool ModelManagerDialog::select(const QString& id) {
  for (int i = 0; i < list_->topLevelItemCount(); ++i)
    if (list_->topLevelItem(i)->data(0, Qt::UserRole).toString() == id) {
      list_->setCurrentItem(list_->topLevelItem(i));
      return true;
    }
  return false;
}

QString ModelManagerDialog::selectedId() const {
  return list_->currentItem() ? list_->currentItem()->data(0, Qt::UserRole).toString() : QString();
}

const latentshop::ManifestModel* ModelManagerDialog::selected() const { return manifest_.find(selectedId().toStdString()); }

QString ModelManagerDialog::statusText() const { return status_->text(); }

void ModelManagerDialog::updateButtons() {
  const auto* m = selected();
  const bool running = downloader_ && downloader_->isRunning();
  const bool thisOne = m && running && downloader_->modelId() == q(m->id);
  const auto state = m ? installState(m->id) : std::nullopt;
  const bool installed = state && !state->partial;
  const bool partial = state && state->partial && !thisOne;
  download_->setText(thisOne ? tr("Pause") : partial ? tr("Resume") : tr("Download"));
  download_->setEnabled(m && !installed && (!running || thisOne));
  cancel_->setEnabled(m && (thisOne || partial));
  delete_->setEnabled(m && installed && !thisOne);
  open_->setEnabled(true);
  if (m)
    details_->setText(tr("<b>%1</b> — %2<br>%3 · licence <a href=\"%4\">%5</a>")
                          .arg(q(m->name).toHtmlEscaped(), q(m->notes).toHtmlEscaped(), q(m->repo).toHtmlEscaped(),
                               q(m->licenceUrl).toHtmlEscaped(), q(m->licence).toHtmlEscaped()));
  else
    details_->clear();
}

void ModelManagerDialog::startOrPause() {
  const auto* m = selected();
  if (!m) return;
  if (downloader_ && downloader_->isRunning()) {
    if (downloader_->modelId() == q(m->id)) downloader_->pause();
    return;
  }
  saveConnection();
  delete downloader_;
  DownloadSettings settings;
  settings.endpoint = endpoint_->text().trimmed();
  settings.token = token_->text().trimmed();
  settings.modelsDir = modelsDir();
  downloader_ = new ModelDownloader(settings, this);
  connect(downloader_, &ModelDownloader::progressChanged, this, &ModelManagerDialog::showProgress);
  connect(downloader_, &ModelDownloader::installed, this, [this](const QString& folder) {
    progress_->setVisible(false);
    status_->setText(tr("Installed in %1. Every model picker lists it now.").arg(folder));
    refreshRows();
    updateButtons();
    ModelFolderSignal::notifyChanged();
    Q_EMIT modelsChanged();
  });
  connect(downloader_, &ModelDownloader::failed, this, [this](const QString& error) {
    progress_->setVisible(false);
    status_->setText(tr("Download failed: %1").arg(error));
    refreshRows();
    updateButtons();
  });
  connect(downloader_, &ModelDownloader::paused, this, [this] {
    status_->setText(tr("Paused. Resume continues where it stopped."));
    refreshRows();
    updateButtons();
  });
  connect(downloader_, &ModelDownloader::cancelled, this, [this] {
    progress_->setVisible(false);
    status_->setText(tr("Cancelled; the partial download was removed."));
    refreshRows();
    updateButtons();
  });
  status_->setText(tr("Starting\u2026"));
  progress_->setValue(0);
  progress_->setVisible(true);
  downloader_->start(*m);
  refreshRows();
  updateButtons();
}

void ModelManagerDialog::showProgress(const DownloadProgress& p) {
  if (p.total > 0) progress_->setValue(int(1000 * double(p.done) / double(p.total)));
  progress_->setFormat(p.total > 0 ? tr("%1 of %2").arg(ModelDownloader::formatBytes(p.done), ModelDownloader::formatBytes(p.total))
                                   : QString());
  QString line = p.stage;
  if (!p.file.isEmpty()) line += QStringLiteral(" ") + p.file;
  if (p.bytesPerSecond > 0) {
    line += tr(", %1/s").arg(ModelDownloader::formatBytes(qint64(p.bytesPerSecond)));
    const QString left = timeLeft(double(p.total - p.done) / p.bytesPerSecond);
    if (!left.isEmpty()) line += QStringLiteral(", ") + left;
  }
  status_->setText(line);
  if (QTreeWidgetItem* item = list_->currentItem(); item && downloader_ && item->data(0, Qt::UserRole).toString() == downloader_->modelId())
    item->setText(3, stateText(downloader_->modelId()));
}

void ModelManagerDialog::cancelDownload() {
  const auto* m = selected();
  if (!m) return;
  if (downloader_ && downloader_->modelId() == q(m->id)) {
    downloader_->cancel();
  } else {
    try {
      latentshop::discardPartialInstall(modelsDir().toStdString(), m->id);
    } catch (const std::exception& e) {
      status_->setText(QString::fromStdString(e.what()));
    }
    status_->setText(tr("Cancelled; the partial download was removed."));
  }
  refreshRows();
  updateButtons();
}

void ModelManagerDialog::deleteModel() {
  const auto* m = selected();
  if (!m) return;
  if (confirm_ && QMessageBox::question(this, tr("Delete Model"),
                                           tr("Delete %1 from %2?").arg(q(m->name), modelsDir())) != QMessageBox::Yes)
    return;
  try {
    latentshop::removeInstalledModel(modelsDir().toStdString(), m->id);
    status_->setText(tr("Deleted %1.").arg(q(m->name)));
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
  }
  refreshRows();
  updateButtons();
  ModelFolderSignal::notifyChanged();
  Q_EMIT modelsChanged();
}

void ModelManagerDialog::openFolder() {
  QDir().mkpath(modelsDir());
  QDesktopServices::openUrl(QUrl::fromLocalFile(modelsDir()));
}

}  // namespace latentshop::ui
