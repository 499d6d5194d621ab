#include "app/gui/test_script.h"

#include <QAction>

#include <chrono>
#include <cstdio>
#include <thread>

#include <QCoreApplication>
#include <QFile>
#include <QLineEdit>
#include <QSpinBox>
#include <QTimer>

#include "app/gui/diffusion_tools.h"
#include "app/gui/main_window.h"
#include "ui/panels/diffusion_inpaint_method.h"
#include "ui/panels/drag_panel.h"
#include "ui/panels/instruct_panel.h"
#include "ui/panels/model_settings.h"
#include "ui/tools/drag_tool.h"
#include "ui/document/document.h"
#include "ui/document/mask_image.h"
#include "ui/panels/classical_method.h"
#include "ui/panels/inpaint_panel.h"

namespace latentshop::ui {

TestScript::TestScript(MainWindow* window, const QString& path, QObject* parent)
    : QObject(parent), window_(window), path_(path) {}

void TestScript::start() {
  QFile f(path_);
  if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
    fail(QStringLiteral("script"), path_ + QStringLiteral(": cannot be read"));
    return;
  }
  for (const QString& line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
    const QString t = line.trimmed();
    if (!t.isEmpty() && !t.startsWith(QLatin1Char('#'))) lines_.push_back(t);
  }
  QTimer::singleShot(0, this, &TestScript::next);
}

void TestScript::next() {
  if (lines_.isEmpty()) return;
  run(lines_.takeFirst());
}

void TestScript::ok(const QString& command, const QString& details) {
  std::printf("[script] %s: ok%s%s\n", qPrintable(command), details.isEmpty() ? "" : " ", qPrintable(details));
  std::fflush(stdout);
  QTimer::singleShot(0, this, &TestScript::next);
}

void TestScript::fail(const QString& command, const QString& why) {
  std::printf("[script] %s: failed: %s\n", qPrintable(command), qPrintable(why));
  std::fflush(stdout);
  QCoreApplication::exit(3);
}

void TestScript::runAndWait(const QString& cmd, const std::function<quint64()>& start) {
  auto* connection = new QMetaObject::Connection;
  *connection = connect(window_, &MainWindow::jobFinished, this, [this, cmd, connection](quint64, int state) {
    disconnect(*connection);
    delete connection;
    if (JobState(state) != JobState::Done) return fail(cmd, window_->statusText());
    ok(cmd, QStringLiteral("layer %1").arg(window_->document()->topPendingLayer()));
  });
  if (!start()) {
    disconnect(*connection);
    delete connection;
    fail(cmd, window_->statusText());
  }
}

void TestScript::run(const QString& line) {
  const QStringList a = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
  const QString cmd = a.first();
  const QString rest = line.mid(cmd.size()).trimmed();
  Document* doc = window_->document();
  QString error;
  if (cmd == QLatin1String("open")) {
    if (!window_->openImage(rest, &error)) return fail(cmd, error);
    return ok(cmd, rest);
  }
  if ((cmd == QLatin1String("mask-rect") || cmd == QLatin1String("keep-out-rect")) && a.size() == 5) {
    const bool keepOut = cmd == QLatin1String("keep-out-rect");
    QImage m = emptyMask(doc->size());
    const QRect r = QRect(a[1].toInt(), a[2].toInt(), a[3].toInt(), a[4].toInt()) & doc->rect();
    for (int y = r.top(); y <= r.bottom(); ++y) std::fill(m.scanLine(y) + r.left(), m.scanLine(y) + r.right() + 1, uchar(255));
    doc->replaceMaskOf(keepOut ? MaskTarget::KeepOut : MaskTarget::Hole, m,
                       keepOut ? QStringLiteral("Paint keep-out") : QStringLiteral("Paint mask"));
    return ok(cmd);
  }
  if (cmd == QLatin1String("inpaint") && a.size() >= 2) {
    const QString id = QStringLiteral("classical.") + a[1];
    if (!window_->inpaintPanel()->setCurrentMethod(id)) return fail(cmd, QStringLiteral("no method ") + id);
    if (a.size() == 5)
      if (auto* m = qobject_cast<ClassicalMethod*>(window_->inpaintPanel()->currentMethod()))
        m->setOptions(a[2].toInt(), a[3].toInt(), a[4].toDouble());
    auto* connection = new QMetaObject::Connection;
    *connection = connect(window_, &MainWindow::jobFinished, this, [this, cmd, connection](quint64, int state) {
      disconnect(*connection);
      delete connection;
      if (JobState(state) != JobState::Done) return fail(cmd, window_->statusText());
      ok(cmd, QStringLiteral("layer %1").arg(window_->document()->topPendingLayer()));
    });
    if (!window_->runInpaint()) {
      disconnect(*connection);
      delete connection;
      return fail(cmd, window_->statusText());
    }
    return;
  }
  if (cmd == QLatin1String("sd-inpaint") && a.size() >= 2) {
    auto* tools = window_->findChild<DiffusionTools*>();
    if (!tools || !window_->inpaintPanel()->setCurrentMethod(QStringLiteral("sd.inpaint")))
      return fail(cmd, QStringLiteral("no Stable Diffusion inpaint method"));
    if (!tools->inpaintModel()->waitForCheck(30000) || !tools->inpaintModel()->isValid())
      return fail(cmd, tools->inpaintModel()->validationMessage());
    latentshop::SdInpaintRequest o = tools->inpaintMethod()->options();
    o.prompt = rest.toStdString();
    tools->inpaintMethod()->setOptions(o);
    return runAndWait(cmd, [this] { return window_->runInpaint(); });
  }
  if (cmd == QLatin1String("instruct") && a.size() >= 2) {
    auto* tools = window_->findChild<DiffusionTools*>();
    if (!tools || !tools->instructModel()->waitForCheck(30000) || !tools->instructModel()->isValid())
      return fail(cmd, tools ? tools->instructModel()->validationMessage() : QStringLiteral("no instruct tool"));
    tools->instructPanel()->instructionEdit()->setText(rest);
    return runAndWait(cmd, [tools] { return tools->runInstruct(); });
  }
  if (cmd == QLatin1String("variations") && a.size() == 2) {
    auto* tools = window_->findChild<DiffusionTools*>();
    if (!tools) return fail(cmd, QStringLiteral("no diffusion tools"));
    tools->instructPanel()->variationsBox()->setValue(a[1].toInt());
    tools->inpaintMethod()->setVariationCount(a[1].toInt());
    return ok(cmd, a[1]);
  }
  if (cmd == QLatin1String("drag-pair") && a.size() == 5) {
    auto* tool = window_->findChild<DragTool*>();
    if (!tool) return fail(cmd, QStringLiteral("no drag tool"));
    QList<DragPair> pairs = tool->pairs();
    pairs.push_back(DragPair{QPointF(a[1].toDouble(), a[2].toDouble()), QPointF(a[3].toDouble(), a[4].toDouble())});
    tool->setPairs(pairs);
    return ok(cmd, QStringLiteral("%1 pairs").arg(pairs.size()));
  }
  if (cmd == QLatin1String("drag-run")) {
    auto* panel = window_->findChild<DragPanel*>();
    if (!panel) return fail(cmd, QStringLiteral("no drag panel"));
    if (!panel->modelSettings()->waitForCheck(30000) || !panel->modelSettings()->isValid())
      return fail(cmd, panel->modelSettings()->validationMessage());
    return runAndWait(cmd, [panel] {
      Q_EMIT panel->runRequested();
      return quint64(1);
    });
  }
  if (cmd == QLatin1String("sleep") && a.size() == 2) {
    QTimer::singleShot(int(a[1].toDouble() * 1000), this, [this, cmd] { ok(cmd); });
    return;
  }
  if (cmd == QLatin1String("apply")) {
    window_->applyResult();
    return ok(cmd);
  }
  if (cmd == QLatin1String("action") && a.size() == 2) {
    QAction* action = window_->action(a[1]);
    if (!action) return fail(cmd, QStringLiteral("no action ") + a[1]);
    action->trigger();
    return ok(cmd, a[1]);
  }
  if (cmd == QLatin1String("discard")) {
    window_->discardResult();
    return ok(cmd);
  }
  if (cmd == QLatin1String("busy-job") && a.size() == 2) {
    const int steps = std::max(1, int(a[1].toDouble() * 20));
    JobSpec spec;
    spec.kind = "test.busy";
    spec.title = "Busy (test)";
    spec.run = [steps](JobContext& ctx) -> JobResult {
      ctx.beginStage("Working", steps);
      for (int i = 1; i <= steps; ++i) {
        ctx.throwIfCancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ctx.progress(i);
      }
      return JobResult{};  // no image: the window reports that the job made nothing
    };
    if (!window_->runDocumentJob(std::move(spec), nullptr)) return fail(cmd, window_->statusText());
    return ok(cmd, QStringLiteral("running"));
  }
  if (cmd == QLatin1String("wait-autosave")) {
    const quint64 target = doc->revision();
    if (!doc->isModified()) return fail(cmd, QStringLiteral("nothing unsaved to autosave"));
    auto* connection = new QMetaObject::Connection;
    *connection = connect(window_, &MainWindow::autosaved, this, [this, cmd, target, connection](const QString& file, quint64 revision) {
      if (revision != target) return;
      disconnect(*connection);
      delete connection;
      ok(cmd, file);
    });
    window_->autosaveNow();
    return;
  }
  if (cmd == QLatin1String("save")) {
    if (!window_->saveProject(rest, &error)) return fail(cmd, error);
    return ok(cmd, rest);
  }
  if (cmd == QLatin1String("export")) {
    if (!window_->exportTo(rest, &error)) return fail(cmd, error);
    return ok(cmd, rest);
  }
  if (cmd == QLatin1String("state")) {
    const QRect m = doc->maskBounds();
    return ok(cmd, QStringLiteral("modified=%1 layers=%2 active=%3 mask=%4,%5,%6,%7 path=%8")
                       .arg(int(doc->isModified()))
                       .arg(doc->layerCount())
                       .arg(doc->activeLayer())
                       .arg(m.x())
                       .arg(m.y())
                       .arg(m.width())
                       .arg(m.height())
                       .arg(doc->filePath()));
  }
  if (cmd == QLatin1String("echo")) return ok(cmd, rest);
  if (cmd == QLatin1String("quit")) {
    std::printf("[script] quit: ok\n");
    std::fflush(stdout);
    window_->close();
    return;
  }
  fail(cmd, QStringLiteral("unknown command or wrong arguments: ") + line);
}

}  // namespace latentshop::ui
