// Main window: the model manager (Settings → Models…, "Get models…" in every model picker) and the
// first start's welcome in the Inpaint panel, which says what works without a download.
#include <QAction>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QToolButton>

#include "app/gui/main_window.h"
#include "app/gui/model_manager_dialog.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/model_folder_signal.h"
#include "ui/panels/model_settings.h"

namespace latentshop::ui {

ModelManagerDialog* MainWindow::modelManager() {
  if (!modelManager_) modelManager_ = new ModelManagerDialog(this);
  modelManager_->setConfirmations(interactive_);
  return modelManager_;
}

void MainWindow::showModelManager() {
  ModelManagerDialog* dialog = modelManager();
  dialog->show();
  dialog->raise();
  dialog->activateWindow();
}

bool MainWindow::welcomeShown() const { return welcome_ && !welcome_->isHidden(); }

void MainWindow::installModelManager() {
  QMenu* settings = menuBar()->addMenu(tr("&Settings"));
  // Before Help, which stays last.
  const QList<QAction*> menus = menuBar()->actions();
  if (menus.size() >= 2) {
    menuBar()->removeAction(settings->menuAction());
    menuBar()->insertAction(menus.at(menus.size() - 2), settings->menuAction());
  }
  auto* models = settings->addAction(tr("&Models\u2026"));
  models->setObjectName(QStringLiteral("settings.models"));
  models->setStatusTip(tr("Download, pause, resume and delete Stable Diffusion checkpoints"));
  connect(models, &QAction::triggered, this, &MainWindow::showModelManager);
  actions_.insert(QStringLiteral("settings.models"), models);
  connect(ModelFolderSignal::instance(), &ModelFolderSignal::managerRequested, this, [this](QWidget* from) {
    if (from && from->window() == this) showModelManager();
  });

  // The welcome: until a real model is installed or chosen, or the user closes it.
  auto* frame = new QFrame;
  frame->setObjectName(QStringLiteral("welcomeBanner"));
  frame->setFrameShape(QFrame::StyledPanel);
  welcome_ = frame;
  auto* row = new QHBoxLayout(welcome_);
  row->setContentsMargins(8, 6, 4, 6);
  auto* text = new QLabel(tr("<b>Welcome.</b> Paint over something and press <i>Run</i>: "
                             "<b>Remove (content-aware)</b> fills it from the rest of the photo, no model needed. "
                             "The Stable Diffusion, Instruct and Drag tools start on tiny built-in demo models; "
                             "for real photos, <a href=\"get\">get models\u2026</a>"),
                          welcome_);
  text->setWordWrap(true);
  text->setTextFormat(Qt::RichText);
  text->setMinimumWidth(0);
  connect(text, &QLabel::linkActivated, this, &MainWindow::showModelManager);
  auto* close = new QToolButton(welcome_);
  close->setText(QStringLiteral("\u2715"));
  close->setAutoRaise(true);
  close->setToolTip(tr("Hide this welcome"));
  row->addWidget(text, 1);
  row->addWidget(close, 0, Qt::AlignTop);
  connect(close, &QToolButton::clicked, this, [this] {
    welcome_->hide();
    QSettings().setValue(QStringLiteral("welcome/dismissed"), true);
  });
  inpaint_->setBanner(welcome_);
  auto update = [this] {
    const bool dismissed = QSettings().value(QStringLiteral("welcome/dismissed"), false).toBool();
    // A real model: anything in the models folder, or a chosen model that is not a demo one.
    bool realModel = !ModelSettings::modelsInFolder(ModelSettings::defaultModelsFolder()).isEmpty();
    for (const QString& p : ModelSettings::recentModels())
      if (!p.startsWith(ModelSettings::demoModelsFolder().isEmpty() ? QStringLiteral("\n") : ModelSettings::demoModelsFolder()))
        realModel = true;
    welcome_->setVisible(!dismissed && !realModel);
  };
  connect(ModelFolderSignal::instance(), &ModelFolderSignal::changed, welcome_, update);
  update();
}

}  // namespace latentshop::ui
