// A canvas tool, in the style of Pencil2D's BaseTool: the canvas turns mouse/tablet input into
// PointerEvents (with the image position already mapped) and forwards them to the active tool; the
// tool edits the document through its undoable API and draws its own overlay (brush outline, drag
// arrows) after the document is painted. Panning and zooming stay with the canvas (space/middle
// drag, wheel), so every tool gets them for free.
//
// Adding a tool: subclass, implement id()/name() and the pointer handlers you need, call
// requestRepaint() when the overlay changes, and register it with the main window's tool bar
// (MainWindow::addTool). The drag-point tool (handles -> targets) is such a subclass.
#pragma once
#include <QCursor>
#include <QIcon>
#include <QKeySequence>
#include <QObject>
#include <QPointF>
#include <QRectF>

class QKeyEvent;
class QPainter;

namespace latentshop::ui {

class Canvas;
class Document;
class ViewTransform;

struct PointerEvent {
  QPointF widgetPos;   // logical widget coordinates
  QPointF imagePos;    // document pixels (continuous; pixel (x, y) spans [x, x+1))
  Qt::MouseButton button = Qt::NoButton;        // the button that changed (press/release)
  Qt::MouseButtons buttons = Qt::NoButton;      // buttons held
  Qt::KeyboardModifiers modifiers = Qt::NoModifier;
  double pressure = 1.0;                        // tablets: 0..1; mice: 1
};

class Tool : public QObject {
  Q_OBJECT
public:
  explicit Tool(QObject* parent = nullptr);
  ~Tool() override;

  virtual QString id() const = 0;     // stable: "mask-brush", "drag-points"
  virtual QString name() const = 0;   // for menus and tool tips
  virtual QIcon icon() const { return QIcon(); }
  virtual QKeySequence shortcut() const { return QKeySequence(); }

  // The canvas calls these. `attach` happens when the tool becomes active.
  virtual void activate(Canvas* canvas);
  virtual void deactivate();
  Canvas* canvas() const { return canvas_; }
  Document* document() const;

  virtual void pointerPress(const PointerEvent& e) {}
  virtual void pointerMove(const PointerEvent& e) {}   // also without buttons (hover)
  virtual void pointerRelease(const PointerEvent& e) {}
  virtual void pointerLeave() {}
  // Return true when the key was used (the canvas then stops processing it).
  virtual bool keyPress(QKeyEvent* e) { return false; }
  virtual bool keyRelease(QKeyEvent* e) { return false; }
  // Draws the tool's overlay; the painter is in widget (logical) coordinates.
  virtual void paint(QPainter& painter, const ViewTransform& view) {}
  virtual QCursor cursor() const { return QCursor(Qt::CrossCursor); }
  // True while a press-drag-release interaction is under way (the canvas will not pan then).
  virtual bool isBusy() const { return false; }

Q_SIGNALS:
  // Ask the canvas to repaint (an empty rect repaints everything), widget coordinates.
  void repaintRequested(const QRectF& widgetRect);
  void cursorChanged();

protected:
  void requestRepaint(const QRectF& widgetRect = QRectF()) { Q_EMIT repaintRequested(widgetRect); }

private:
  Canvas* canvas_ = nullptr;
};

}  // namespace latentshop::ui
