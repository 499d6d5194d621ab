#include "app/gui/diffusion_tools.h"

#include <QEvent>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "app/gui/engine_bridge.h"
#include "app/gui/image_convert.h"
#include "app/gui/main_window.h"
#include "engine/pipelines/sd_instruct.h"
#include "engine/pipelines/sd_model_check.h"
#include "ui/document/document.h"
#include "ui/panels/diffusion_inpaint_method.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/instruct_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/model_settings.h"

namespace latentshop::ui {

DiffusionTools::DiffusionTools(MainWindow* window)
    : QObject(window),
      window_(window),
      inpaintModel_(new ModelSettings(latentshop::SdTool::Inpaint, this)),
      instructModel_(new ModelSettings(latentshop::SdTool::Instruct, this)),
      inpaintMethod_(new DiffusionInpaintMethod(inpaintModel_)),
      instruct_(new InstructPanel(instructModel_)) {
  setObjectName(QStringLiteral("DiffusionTools"));
  window_->inpaintPanel()->addMethod(inpaintMethod_);  // creates the method's picker
  window_->addDockPanel(instruct_, tr("Instruct"), Qt::RightDockWidgetArea);
  QSettings settings;
  instruct_->loadSettings(settings);

  connect(instruct_, &InstructPanel::runRequested, this, &DiffusionTools::runInstruct);
  for (ModelPicker* picker : {inpaintMethod_->picker(), instruct_->picker()}) {
    connect(picker, &ModelPicker::loadRequested, this, [this, picker] { loadModel(picker); });
    connect(picker->progress(), &JobProgressWidget::cancelRequested, this, [this, picker] {
      for (auto it = loads_.cbegin(); it != loads_.cend(); ++it)
        if (it.value() == picker) window_->engine()->cancel(it.key());
    });
  }
  EngineBridge* engine = window_->engine();
  connect(engine, &EngineBridge::busyChanged, this, &DiffusionTools::updateInstructState);
  connect(window_->document(), &Document::documentReset, this, &DiffusionTools::updateInstructState);
  connect(engine, &EngineBridge::jobProgress, this, [this](quint64 id, const JobProgressInfo& p) {
    if (ModelPicker* picker = loads_.value(id)) picker->progress()->setProgress(p.step, p.total, p.stage, p.etaSeconds);
  });
  connect(engine, &EngineBridge::jobDone, this, [this](quint64 id, const JobOutcome& o) {
    if (ModelPicker* picker = loads_.value(id)) picker->progress()->finish(o.message, true);
  });
  connect(engine, &EngineBridge::jobFailed, this, [this](quint64 id, const QString& error) {
    if (ModelPicker* picker = loads_.value(id)) picker->progress()->finish(tr("Failed: %1").arg(error), false);
  });
  connect(engine, &EngineBridge::jobStateChanged, this, [this](quint64 id, int state) {
    const auto s = static_cast<JobState>(state);
    if (!isFinished(s) || !loads_.contains(id)) return;
    ModelPicker* picker = loads_.take(id);
    if (s == JobState::Cancelled) picker->progress()->finish(tr("Loading cancelled."), true);
    picker->loadButton()->setEnabled(picker->settings()->isValid());
  });
  // The panel says whether a painted mask limits the edit; looked at once a stroke settles.
  auto* maskTimer = new QTimer(this);
  maskTimer->setSingleShot(true);
  maskTimer->setInterval(80);
  connect(maskTimer, &QTimer::timeout, this, [this] {
    const Document* doc = window_->document();
    instruct_->setMaskPainted(!doc->isNull() && !doc->maskIsEmpty());
  });
  connect(window_->document(), &Document::maskChanged, maskTimer, qOverload<>(&QTimer::start));
  connect(window_->document(), &Document::documentReset, maskTimer, qOverload<>(&QTimer::start));
  window_->installEventFilter(this);
  updateInstructState();
}

void DiffusionTools::updateInstructState() {
  instruct_->setBusy(window_->engine()->isBusy());
  instruct_->setDocumentState(!window_->document()->isNull());
}

JobId DiffusionTools::runInstruct() {
  const QString reason = instruct_->blockedReason();
  if (!reason.isEmpty()) {
    window_->statusBar()->showMessage(reason, 6000);
    return 0;
  }
  latentshop::SdInstructRequest request = instruct_->request(/*forRun=*/true);
  request.image = toRgbMat(window_->document()->editSource());
  // A painted mask limits the edit to that region (blended back with a soft edge, as inpaint).
  if (!window_->document()->maskIsEmpty()) request.mask = toGrayMat(window_->document()->mask());
  JobSpec spec;
  try {
    latentshop::validate(request);
    spec = latentshop::makeSdInstructJob(request);
  } catch (const std::exception& e) {
    window_->statusBar()->showMessage(QString::fromStdString(e.what()), 15000);
    return 0;
  }
  // Variations: the same edit with the next seeds, one after another.
  auto next = [request](int index) {
    latentshop::SdInstructRequest r = request;
    r.seed += static_cast<uint64_t>(index);
    return latentshop::makeSdInstructJob(std::move(r));
  };
  return window_->runDocumentJobs(std::move(spec), instruct_->variationCount(), next, instruct_->progress());
}

JobId DiffusionTools::loadModel(ModelPicker* picker) {
  if (!picker->settings()->isValid()) return 0;
  const JobId id = window_->engine()->submit(latentshop::makeModelLoadJob(picker->settings()->modelRef()));
  loads_.insert(id, picker);
  picker->loadButton()->setEnabled(false);
  picker->progress()->start(tr("Loading model"));
  return id;
}

bool DiffusionTools::eventFilter(QObject* watched, QEvent* event) {
  if (watched == window_ && event->type() == QEvent::Close) {
    QSettings settings;
    instruct_->saveSettings(settings);
  }
  return QObject::eventFilter(watched, event);
}

DiffusionTools* installDiffusionTools(MainWindow& window) { return new DiffusionTools(&window); }

}  // namespace latentshop::ui
