#include "app/gui/drag_setup.h"

#include <QAction>
#include <QJsonArray>
#include <QSettings>
#include <QTimer>

#include "app/gui/diffusion_tools.h"
#include "app/gui/image_convert.h"
#include "app/gui/main_window.h"
#include "engine/pipelines/drag_job.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/panels/drag_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/model_picker.h"
#include "ui/tools/drag_tool.h"
#include "ui/tools/mask_brush_tool.h"

namespace latentshop::ui {

namespace {

void runDrag(MainWindow& window, DragTool& tool, DragPanel& panel) {
  Document* doc = window.document();
  const QString reason = panel.blockedReason();
  if (!doc || doc->isNull() || !reason.isEmpty()) {
    panel.showMessage(reason.isEmpty() ? QObject::tr("Open an image first.") : reason);
    return;
  }
  std::vector<DragPoint> points;
  for (const DragPair& p : tool.pairs())
    points.push_back({cv::Point2f(float(p.handle.x()), float(p.handle.y())), cv::Point2f(float(p.target.x()), float(p.target.y()))});
  const cv::Mat mask = doc->maskIsEmpty() ? cv::Mat() : toGrayMat(doc->mask());
  JobSpec spec;
  try {
    spec = makeDragJob(panel.makeRequest(toRgbMat(doc->editSource()), mask, points));
  } catch (const std::exception& e) {
    panel.showMessage(QString::fromStdString(e.what()));
    return;
  }
  QSettings settings;
  panel.saveSettings(settings);
  if (window.runDocumentJob(std::move(spec), panel.progress()) == 0) return;
  panel.setBusy(true);
  tool.setFaded(true);
}

}  // namespace

DragEditing installDragEditing(MainWindow& window) {
  DragEditing d;
  d.tool = new DragTool(&window);
  d.panel = new DragPanel;
  {
    QSettings settings;
    d.panel->loadSettings(settings);
  }
  window.addTool(d.tool, d.panel);
  // "Load" in the drag panel's model picker runs the same load job as the other diffusion tools.
  if (DiffusionTools* tools = window.findChild<DiffusionTools*>()) {
    ModelPicker* picker = d.panel->picker();
    QObject::connect(picker, &ModelPicker::loadRequested, tools, [tools, picker] { tools->loadModel(picker); });
  }
  DragTool* tool = d.tool;
  DragPanel* panel = d.panel;
  Document* doc = window.document();
  auto syncState = [tool, panel, doc] {
    panel->setPairCount(tool->pairCount(), tool->pendingHandle().has_value());
    panel->setDocumentState(!doc->isNull(), !doc->isNull() && !doc->maskIsEmpty());
  };
  QObject::connect(tool, &DragTool::pairsChanged, panel, syncState);
  QObject::connect(tool, &DragTool::repaintRequested, panel, syncState);  // pending handle shown in the count
  QObject::connect(doc, &Document::documentReset, tool, &DragTool::clearPairs);
  QObject::connect(doc, &Document::documentReset, panel, syncState);
  // The mask changes on every brush move: look at it once the stroke settles.
  auto* maskTimer = new QTimer(panel);
  maskTimer->setSingleShot(true);
  maskTimer->setInterval(80);
  QObject::connect(maskTimer, &QTimer::timeout, panel, syncState);
  QObject::connect(doc, &Document::maskChanged, maskTimer, qOverload<>(&QTimer::start));
  QObject::connect(panel, &DragPanel::clearPointsRequested, tool, &DragTool::clearPairs);
  QObject::connect(panel, &DragPanel::paintRegionRequested, &window, [&window] {
    for (QAction* a : window.actions())
      if (a->isCheckable() && a->text() == window.brushTool()->name()) a->trigger();
  });
  QObject::connect(panel, &DragPanel::runRequested, &window, [&window, tool, panel] { runDrag(window, *tool, *panel); });
  QObject::connect(&window, &MainWindow::jobFinished, panel, [tool, panel] {
    panel->setBusy(false);
    tool->setFaded(false);
  });
  syncState();
  return d;
}

QList<DragPair> dragPairsFromParams(const QJsonObject& params) {
  QList<DragPair> pairs;
  if (params.value(QStringLiteral("tool")).toString() != QStringLiteral("drag")) return pairs;
  for (const QJsonValue& v : params.value(QStringLiteral("points")).toArray()) {
    const QJsonArray a = v.toArray();
    if (a.size() != 4) continue;
    pairs.append(DragPair{QPointF(a[0].toDouble(), a[1].toDouble()), QPointF(a[2].toDouble(), a[3].toDouble())});
  }
  return pairs;
}

}  // namespace latentshop::ui
