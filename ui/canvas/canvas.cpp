#include "ui/canvas/canvas.h"

#include <algorithm>
#include <cmath>

#include <QAbstractSpinBox>
#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextEdit>
#include <QWheelEvent>

#include "ui/document/document.h"
#include "ui/tools/tool.h"

namespace latentshop::ui {

namespace {
constexpr int kScrollMargin = 32;  // logical pixels of empty space the scroll bars allow past an edge
constexpr double kWheelZoomPerNotch = 1.25;

bool isTextInput(QWidget* w) {
  return qobject_cast<QLineEdit*>(w) || qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QTextEdit*>(w) ||
         qobject_cast<QPlainTextEdit*>(w);
}
}  // namespace

Canvas::Canvas(QWidget* parent) : QAbstractScrollArea(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setFrameShape(QFrame::NoFrame);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  viewport()->setMouseTracking(true);
  viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
  viewport()->setAutoFillBackground(false);
  setAcceptDrops(false);  // the main window handles drops
  view_.setDevicePixelRatio(currentDpr());
}

Canvas::~Canvas() {
  if (tool_) tool_->deactivate();
  // The document may be our child and outlive this destructor's body: stop listening to it.
  if (doc_) disconnect(doc_, nullptr, this, nullptr);
}

double Canvas::currentDpr() const { return viewport()->devicePixelRatioF(); }

void Canvas::setDocument(Document* doc) {
  if (doc_ == doc) return;
  if (doc_) disconnect(doc_, nullptr, this, nullptr);
  doc_ = doc;
  cache_.setDocument(doc);
  if (doc) {
    connect(doc, &Document::documentReset, this, &Canvas::onDocumentReset);
    connect(doc, &Document::contentChanged, this, &Canvas::onContentChanged);
    connect(doc, &Document::maskChanged, this, &Canvas::onMaskChanged);
    connect(doc, &Document::keepOutChanged, this, [this](const QRect& region) {
      cache_.updateKeepOut(region);
      if (maskVisible_) updateImageRect(region);
    });
    connect(doc, &QObject::destroyed, this, [this] { cache_.setDocument(nullptr); cache_.clear(); });
  }
  onDocumentReset();
}

void Canvas::onDocumentReset() {
  preview_ = CanvasPreview();
  cache_.rebuild();
  fitting_ = true;
  fitUpscales_ = false;
  if (doc_ && !doc_->isNull()) {
    applyView(fittedView(view_, 1.0), false);
  }
  syncScrollBars();
  updateCursor();
  viewport()->update();
}

void Canvas::onContentChanged(const QRect& region) {
  cache_.updateComposite(region);
  updateImageRect(region);
}

void Canvas::onMaskChanged(const QRect& region) {
  cache_.updateMask(region);
  if (maskVisible_) updateImageRect(region);
}

void Canvas::updateImageRect(const QRect& docRect) {
  if (docRect.isEmpty()) return;
  viewport()->update(view_.imageToWidget(QRectF(docRect)).toAlignedRect().adjusted(-2, -2, 2, 2));
}

// ---- View ---------------------------------------------------------------------------------------

void Canvas::setView(const ViewTransform& view) { applyView(view, true); }

void Canvas::applyView(const ViewTransform& next, bool userAction) {
  if (userAction) fitting_ = false;
  if (next == view_) return;
  const bool zoomed = next.zoom() != view_.zoom();
  view_ = next;
  syncScrollBars();
  viewport()->update();
  Q_EMIT viewChanged();
  if (zoomed) Q_EMIT zoomChanged(view_.zoom());
}

void Canvas::zoomTo(double zoom, QPointF anchor) {
  ViewTransform v = view_;
  v.zoomAround(anchor, zoom);
  applyView(v, true);
}

void Canvas::zoomTo(double zoom) { zoomTo(zoom, QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0)); }
void Canvas::zoomIn() { zoomTo(ViewTransform::nextZoomStep(view_.zoom(), true)); }
void Canvas::zoomOut() { zoomTo(ViewTransform::nextZoomStep(view_.zoom(), false)); }

ViewTransform Canvas::fittedView(ViewTransform v, double maxFit) const {
  // The band under the top inset (the result bar's place) is left out, so the bar never covers
  // the image when it appears.
  const QSizeF area(viewport()->width(), std::max(1, viewport()->height() - topInset_));
  v.setZoom(ViewTransform::fitZoom(doc_->size(), area, v.devicePixelRatio(), 16.0, maxFit));
  v.centerOn(doc_->size(), area);
  v.panBy(QPointF(0.0, topInset_));
  return v;
}

void Canvas::setTopInset(int px) {
  if (topInset_ == px) return;
  topInset_ = px;
  if (fitting_ && doc_ && !doc_->isNull()) applyView(fittedView(view_, fitUpscales_ ? ViewTransform::kMaxZoom : 1.0), false);
}

void Canvas::fitToWindow() {
  if (!doc_ || doc_->isNull()) return;
  applyView(fittedView(view_, ViewTransform::kMaxZoom), false);
  fitting_ = true;
  fitUpscales_ = true;
}

void Canvas::actualPixels() {
  if (!doc_ || doc_->isNull()) return;
  // Keep the image point at the viewport's centre in place.
  zoomTo(1.0);
}

void Canvas::syncScrollBars() {
  syncingScrollBars_ = true;
  const QSizeF vp = viewport()->size();
  const QRectF img = doc_ && !doc_->isNull() ? view_.imageToWidget(QRectF(doc_->rect())) : QRectF();
  const auto setBar = [](QScrollBar* bar, double imageStart, double imageLength, double viewLength) {
    const int v = int(std::lround(-imageStart));
    if (imageStart >= 0 && imageStart + imageLength <= viewLength) {
      bar->setRange(v, v);  // the image fits along this axis: no scroll bar
      bar->setValue(v);
      return;
    }
    const int lo = std::min(v, -kScrollMargin);
    const int hi = std::max(v, int(std::lround(imageLength - viewLength)) + kScrollMargin);
    bar->setRange(lo, std::max(lo, hi));
    bar->setPageStep(std::max(1, int(viewLength)));
    bar->setSingleStep(std::max(1, int(viewLength / 20)));
    bar->setValue(v);
  };
  if (img.isEmpty()) {
    horizontalScrollBar()->setRange(0, 0);
    verticalScrollBar()->setRange(0, 0);
  } else {
    setBar(horizontalScrollBar(), img.left(), img.width(), vp.width());
    setBar(verticalScrollBar(), img.top(), img.height(), vp.height());
  }
  syncingScrollBars_ = false;
}

void Canvas::scrollContentsBy(int, int) {
  if (syncingScrollBars_ || !doc_ || doc_->isNull()) return;
  const QRectF img = view_.imageToWidget(QRectF(doc_->rect()));
  const QPointF delta(-horizontalScrollBar()->value() - img.left(), -verticalScrollBar()->value() - img.top());
  ViewTransform v = view_;
  v.panBy(delta);
  applyView(v, true);
}

void Canvas::resizeEvent(QResizeEvent* e) {
  QAbstractScrollArea::resizeEvent(e);
  const double dpr = currentDpr();
  if (dpr != view_.devicePixelRatio()) {
    ViewTransform v = view_;
    v.setDevicePixelRatio(dpr);
    view_ = v;
  }
  if (fitting_ && doc_ && !doc_->isNull()) {
    applyView(fittedView(view_, fitUpscales_ ? ViewTransform::kMaxZoom : 1.0), false);
  }
  syncScrollBars();
}

// ---- Tool and overlays --------------------------------------------------------------------------

void Canvas::setTool(Tool* tool) {
  if (tool_ == tool) return;
  if (tool_) {
    tool_->deactivate();
    disconnect(tool_, nullptr, this, nullptr);
  }
  tool_ = tool;
  if (tool_) {
    tool_->activate(this);
    connect(tool_, &Tool::repaintRequested, this, [this](const QRectF& r) {
      if (r.isEmpty()) {
        viewport()->update();
      } else {
        viewport()->update(r.toAlignedRect().adjusted(-2, -2, 2, 2));
      }
    });
    connect(tool_, &Tool::cursorChanged, this, &Canvas::updateCursor);
  }
  updateCursor();
  viewport()->update();
}

void Canvas::setMaskVisible(bool visible) {
  if (visible == maskVisible_) return;
  maskVisible_ = visible;
  viewport()->update();
  Q_EMIT maskVisibilityChanged(visible);
}

void Canvas::setMaskStyle(const QColor& color, double opacity) {
  cache_.setMaskStyle(color, opacity);
  viewport()->update();
}

void Canvas::setComparing(bool before) {
  if (before == comparing_) return;
  comparing_ = before;
  cache_.setIncludePending(!before);
  if (doc_) {
    QRect region;
    for (const Layer& l : doc_->layers())
      if (l.pending) region |= l.bounds();
    cache_.updateComposite(region);
  }
  viewport()->update();
  Q_EMIT comparingChanged(before);
}

void Canvas::setPreview(const CanvasPreview& preview) {
  preview_ = preview;
  ++previewsShown_;
  viewport()->update();
}

void Canvas::clearPreview() {
  if (preview_.isNull() && preview_.label.isEmpty()) return;
  preview_ = CanvasPreview();
  viewport()->update();
}

// ---- Painting -----------------------------------------------------------------------------------

void Canvas::paintEvent(QPaintEvent* e) {
  const double dpr = currentDpr();
  if (dpr != view_.devicePixelRatio()) {
    view_.setDevicePixelRatio(dpr);
    syncScrollBars();
  }
  QPainter p(viewport());
  const QColor window = palette().color(QPalette::Window);
  const QColor background = window.lightness() < 128 ? window.darker(135) : window.darker(125);
  p.fillRect(e->rect(), background);
  if (!doc_ || doc_->isNull()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(viewport()->rect(), Qt::AlignCenter,
               tr("Open an image (Ctrl+O) or drop one here\n\nPaint a mask with the brush, then Run (Ctrl+Enter)"));
    return;
  }

  // Document layers in device pixels, so 100 % maps one image pixel to one device pixel.
  const QRectF imageDevice = view_.imageToDevice(QRectF(doc_->rect()));
  const QRect exposedDevice = QRectF(QPointF(e->rect().topLeft()) * dpr, QSizeF(e->rect().size()) * dpr).toAlignedRect();
  p.save();
  p.setWorldTransform(QTransform::fromScale(1.0 / dpr, 1.0 / dpr));
  p.fillRect(imageDevice.adjusted(-1, -1, 1, 1), QColor(0, 0, 0, 90));
  if (doc_->original().hasAlphaChannel()) {
    QPixmap checker(16, 16);
    checker.fill(QColor(204, 204, 204));
    QPainter cp(&checker);
    cp.fillRect(0, 0, 8, 8, QColor(153, 153, 153));
    cp.fillRect(8, 8, 8, 8, QColor(153, 153, 153));
    cp.end();
    p.fillRect(imageDevice & QRectF(exposedDevice), QBrush(checker));
  }
  cache_.draw(p, view_, exposedDevice, maskVisible_);
  p.restore();

  drawCanvasPreview(p, view_, doc_->size(), preview_, viewport()->rect());
  if (comparing_) {
    const QString text = tr("Before");
    const QFontMetrics fm(p.font());
    const QRect box(viewport()->width() - fm.horizontalAdvance(text) - 36, 10, fm.horizontalAdvance(text) + 26,
                    fm.height() + 8);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0, 0, 0, 160));
    p.drawRoundedRect(box, 4, 4);
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, text);
  }
  if (tool_ && !panning_ && !spaceHeld_) tool_->paint(p, view_);
}

// ---- Input --------------------------------------------------------------------------------------

PointerEvent Canvas::pointerEvent(QMouseEvent* e) const {
  PointerEvent pe;
  pe.widgetPos = e->position();
  pe.imagePos = view_.widgetToImage(e->position());
  pe.button = e->button();
  pe.buttons = e->buttons();
  pe.modifiers = e->modifiers();
  return pe;
}

void Canvas::mousePressEvent(QMouseEvent* e) {
  setFocus(Qt::MouseFocusReason);
  const bool toolBusy = tool_ && tool_->isBusy();
  if (!toolBusy && (e->button() == Qt::MiddleButton || (e->button() == Qt::LeftButton && spaceHeld_))) {
    panning_ = true;
    panLast_ = e->position();
    updateCursor();
    viewport()->update();
    return;
  }
  if (tool_ && doc_ && !doc_->isNull()) tool_->pointerPress(pointerEvent(e));
}

void Canvas::mouseMoveEvent(QMouseEvent* e) {
  if (panning_) {
    ViewTransform v = view_;
    v.panBy(e->position() - panLast_);
    panLast_ = e->position();
    applyView(v, true);
    return;
  }
  if (doc_ && !doc_->isNull()) {
    const QPoint px = view_.widgetToPixel(e->position());
    Q_EMIT cursorMoved(px, doc_->rect().contains(px));
    if (tool_) tool_->pointerMove(pointerEvent(e));
  }
}

void Canvas::mouseReleaseEvent(QMouseEvent* e) {
  if (panning_) {
    if (e->button() == Qt::MiddleButton || e->button() == Qt::LeftButton) {
      panning_ = false;
      updateCursor();
      viewport()->update();
    }
    return;
  }
  if (tool_ && doc_ && !doc_->isNull()) tool_->pointerRelease(pointerEvent(e));
}

void Canvas::wheelEvent(QWheelEvent* e) {
  if (!doc_ || doc_->isNull()) return;
  const bool touchpad = !e->pixelDelta().isNull() && !(e->modifiers() & Qt::ControlModifier);
  if ((e->modifiers() & Qt::ControlModifier) || (wheelZooms_ && !touchpad)) {
    const double notches = e->angleDelta().y() / 120.0;
    if (notches == 0.0) return;
    double z = view_.zoom() * std::pow(kWheelZoomPerNotch, notches);
    // Snap to 100 % when a wheel step crosses it, so crisp 1:1 is easy to reach.
    if ((view_.zoom() < 1.0 && z > 1.0) || (view_.zoom() > 1.0 && z < 1.0)) z = 1.0;
    zoomTo(z, e->position());
  } else {
    const QPointF delta = touchpad ? QPointF(e->pixelDelta()) : QPointF(e->angleDelta()) / 120.0 * 60.0;
    ViewTransform v = view_;
    v.panBy(delta);
    applyView(v, true);
  }
  e->accept();
}

void Canvas::keyPressEvent(QKeyEvent* e) {
  if (tool_ && tool_->keyPress(e)) return;
  if (e->key() == Qt::Key_Space) {
    if (!e->isAutoRepeat() && !(tool_ && tool_->isBusy())) {
      spaceHeld_ = true;
      updateCursor();
      viewport()->update();
    }
    e->accept();
    return;
  }
  QAbstractScrollArea::keyPressEvent(e);
}

void Canvas::keyReleaseEvent(QKeyEvent* e) {
  if (tool_ && tool_->keyRelease(e)) return;
  if (e->key() == Qt::Key_Space) {
    if (!e->isAutoRepeat()) {
      spaceHeld_ = false;
      updateCursor();
      viewport()->update();
    }
    e->accept();
    return;
  }
  QAbstractScrollArea::keyReleaseEvent(e);
}

void Canvas::enterEvent(QEnterEvent* e) {
  // Painting apps take keyboard focus on hover so Space-pan and '['/']' work at once, unless the
  // user is typing somewhere.
  QWidget* focus = QApplication::focusWidget();
  if (!focus || (!isTextInput(focus) && focus->window() == window())) setFocus(Qt::OtherFocusReason);
  QAbstractScrollArea::enterEvent(e);
}

void Canvas::leaveEvent(QEvent* e) {
  if (tool_) tool_->pointerLeave();
  QAbstractScrollArea::leaveEvent(e);
}

void Canvas::focusOutEvent(QFocusEvent* e) {
  spaceHeld_ = false;
  updateCursor();
  QAbstractScrollArea::focusOutEvent(e);
}

bool Canvas::viewportEvent(QEvent* e) {
  if (e->type() == QEvent::Leave && tool_) tool_->pointerLeave();
  return QAbstractScrollArea::viewportEvent(e);
}

void Canvas::updateCursor() {
  if (panning_) {
    viewport()->setCursor(Qt::ClosedHandCursor);
  } else if (spaceHeld_) {
    viewport()->setCursor(Qt::OpenHandCursor);
  } else if (tool_ && doc_ && !doc_->isNull()) {
    viewport()->setCursor(tool_->cursor());
  } else {
    viewport()->setCursor(Qt::ArrowCursor);
  }
}

}  // namespace latentshop::ui
