// The drag editing wiring of the main window: the drag-points tool in the tool bar with the drag
// panel as its options dock, Run → a DragDiffusion job (engine/pipelines/drag_job.h) on the
// document's edit source with the working mask as the movable region, Stop/Cancel through the
// progress widget, previews with the tracked handles on the canvas, and the result as a pending
// layer carrying the points (see dragPairsFromParams) and the parameters.
#pragma once
#include <QJsonObject>
#include <QList>

#include "ui/document/layer.h"

namespace latentshop::ui {

class DragPanel;
class DragTool;
class MainWindow;

struct DragEditing {
  DragTool* tool = nullptr;
  DragPanel* panel = nullptr;
};

// Creates the tool and panel, registers them with `window` and connects everything. Called once
// from the MainWindow constructor.
DragEditing installDragEditing(MainWindow& window);

// The handle → target pairs recorded in a drag result's params ("points": [[hx, hy, tx, ty], ...]);
// empty for other results.
QList<DragPair> dragPairsFromParams(const QJsonObject& params);

}  // namespace latentshop::ui
