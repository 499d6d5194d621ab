// The canvas: shows a Document through a ViewTransform (zoom to the cursor, pan, fit, 1:1, hi-DPI
// crisp), overlays the working mask, a running job's live preview and the active tool's own
// drawing, and turns mouse input into PointerEvents for the tool.
//
// Navigation: mouse wheel zooms at the cursor (or pans when wheelZooms is off), Ctrl+wheel always
// zooms, touchpad two-finger scroll pans, Space+drag or middle-drag pans, scroll bars pan.
// Hold-to-compare: setComparing(true) hides pending results ("before").
#pragma once
#include <QAbstractScrollArea>
#include <QPointer>

#include "ui/canvas/canvas_cache.h"
#include "ui/canvas/canvas_preview.h"
#include "ui/canvas/view_transform.h"
#include "ui/document/document.h"
#include "ui/tools/tool.h"

namespace latentshop::ui {

class Canvas : public QAbstractScrollArea {
  Q_OBJECT
public:
  explicit Canvas(QWidget* parent = nullptr);
  ~Canvas() override;

  void setDocument(Document* doc);
  Document* document() const { return doc_; }

  // ---- View ---------------------------------------------------------------------------------
  const ViewTransform& view() const { return view_; }
  void setView(const ViewTransform& view);   // e.g. restoring a view; clamps, syncs scroll bars
  double zoom() const { return view_.zoom(); }
  void zoomTo(double zoom, QPointF widgetAnchor);  // anchor in viewport (widget) coordinates
  void zoomTo(double zoom);                        // around the viewport's centre
  void zoomIn();
  void zoomOut();
  void fitToWindow();   // and keep fitting on resize until the user zooms or pans
  void actualPixels();  // 100 %: one image pixel per device pixel
  bool isFitting() const { return fitting_; }
  // Fitting leaves this many pixels free at the top (where the result bar floats over the canvas).
  void setTopInset(int px);
  int topInset() const { return topInset_; }
  void setWheelZooms(bool zooms) { wheelZooms_ = zooms; }
  bool wheelZooms() const { return wheelZooms_; }

  // ---- Tool ---------------------------------------------------------------------------------
  void setTool(Tool* tool);
  Tool* tool() const { return tool_; }

  // ---- Overlays -----------------------------------------------------------------------------
  void setMaskVisible(bool visible);
  bool maskVisible() const { return maskVisible_; }
  void setMaskStyle(const QColor& color, double opacity);
  QColor maskColor() const { return cache_.maskColor(); }
  double maskOpacity() const { return cache_.maskOpacity(); }
  void setComparing(bool before);
  bool isComparing() const { return comparing_; }
  void setPreview(const CanvasPreview& preview);
  void clearPreview();
  const CanvasPreview& preview() const { return preview_; }
  // The rendering caches (pyramids and tiles): for statistics, benchmarks and tests.
  const CanvasCache& cache() const { return cache_; }
  int previewsShown() const { return previewsShown_; }  // counts setPreview() calls (tests, stats)

Q_SIGNALS:
  void viewChanged();                               // zoom or pan
  void zoomChanged(double zoom);
  void cursorMoved(const QPoint& pixel, bool insideImage);
  void maskVisibilityChanged(bool visible);
  void comparingChanged(bool before);

protected:
  void paintEvent(QPaintEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void scrollContentsBy(int dx, int dy) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void keyReleaseEvent(QKeyEvent* e) override;
  void enterEvent(QEnterEvent* e) override;
  void leaveEvent(QEvent* e) override;
  void focusOutEvent(QFocusEvent* e) override;
  bool viewportEvent(QEvent* e) override;

private:
  void onDocumentReset();
  void onContentChanged(const QRect& region);
  void onMaskChanged(const QRect& region);
  void applyView(const ViewTransform& next, bool userAction);
  ViewTransform fittedView(ViewTransform v, double maxFit) const;
  void syncScrollBars();
  void updateCursor();
  void updateImageRect(const QRect& docRect);
  PointerEvent pointerEvent(QMouseEvent* e) const;
  double currentDpr() const;

  QPointer<Document> doc_;
  ViewTransform view_;
  CanvasCache cache_;
  QPointer<Tool> tool_;
  CanvasPreview preview_;
  int previewsShown_ = 0;
  bool maskVisible_ = true;
  bool comparing_ = false;
  bool wheelZooms_ = true;
  bool fitting_ = true;
  int topInset_ = 0;
  bool fitUpscales_ = false;  // an explicit Fit may enlarge small images; opening does not
  bool spaceHeld_ = false;
  bool panning_ = false;
  QPointF panLast_;
  bool syncingScrollBars_ = false;
};

}  // namespace latentshop::ui
