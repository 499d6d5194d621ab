#include "ui/tools/drag_tool.h"

#include <algorithm>
#include <cmath>

#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>

#include "ui/canvas/canvas.h"
#include "ui/canvas/view_transform.h"
#include "ui/document/document.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

QIcon DragTool::icon() const { return themedIcon(IconId::DragPoints); }

namespace {

const QColor kHandle(235, 64, 52);
const QColor kTarget(52, 120, 235);

void drawArrow(QPainter& p, QPointF from, QPointF to, const QColor& color) {
  const QPointF d = to - from;
  const double len = std::hypot(d.x(), d.y());
  if (len < 1.0) return;
  const QPointF u = d / len;
  const QPointF n(-u.y(), u.x());
  const double head = std::min(12.0, len / 2);
  p.setPen(QPen(color, 2.0));
  p.drawLine(from, to - u * head * 0.8);
  QPainterPath tip;
  tip.moveTo(to);
  tip.lineTo(to - u * head + n * head * 0.45);
  tip.lineTo(to - u * head - n * head * 0.45);
  tip.closeSubpath();
  p.fillPath(tip, color);
}

bool isDeleteKey(int key) { return key == Qt::Key_Delete || key == Qt::Key_Backspace; }

}  // namespace

DragTool::DragTool(QObject* parent) : Tool(parent) {}
DragTool::~DragTool() = default;

void DragTool::setPairs(const QList<DragPair>& pairs) {
  pairs_ = pairs;
  pending_.reset();
  grabbed_.reset();
  lastTouched_.reset();
  hover_.reset();
  requestRepaint();
  Q_EMIT pairsChanged();
}

void DragTool::clearPairs() { setPairs({}); }

void DragTool::removePair(int index) {
  if (index < 0 || index >= pairs_.size()) return;
  pairs_.removeAt(index);
  grabbed_.reset();
  lastTouched_.reset();
  hover_.reset();
  requestRepaint();
  Q_EMIT pairsChanged();
}

void DragTool::setFaded(bool faded) {
  if (faded_ == faded) return;
  faded_ = faded;
  requestRepaint();
}

void DragTool::activate(Canvas* canvas) {
  Tool::activate(canvas);
  if (canvas) canvas->installEventFilter(this);
}

void DragTool::deactivate() {
  if (canvas()) canvas()->removeEventFilter(this);
  grabbed_.reset();
  hover_.reset();
  Tool::deactivate();
}

// Delete/Backspace/Esc are window shortcuts (discard result, cancel job); while the tool has a point
// to delete or a pending handle to drop, the canvas takes the key itself.
bool DragTool::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::ShortcutOverride) {
    auto* k = static_cast<QKeyEvent*>(event);
    const bool wanted = (isDeleteKey(k->key()) && (lastTouched_ || pending_)) || (k->key() == Qt::Key_Escape && pending_);
    if (wanted && k->modifiers() == Qt::NoModifier) {
      event->accept();
      return true;
    }
  }
  return Tool::eventFilter(watched, event);
}

QPointF DragTool::clampToImage(QPointF p) const {
  const Document* doc = document();
  QPointF pixel(std::floor(p.x()), std::floor(p.y()));
  if (!doc || doc->isNull()) return pixel;
  return QPointF(std::clamp(pixel.x(), 0.0, double(doc->size().width() - 1)),
                 std::clamp(pixel.y(), 0.0, double(doc->size().height() - 1)));
}

QPointF DragTool::pointAt(const PointRef& ref) const {
  if (ref.pair < 0) return pending_.value_or(QPointF());
  return ref.target ? pairs_[ref.pair].target : pairs_[ref.pair].handle;
}

void DragTool::setPoint(const PointRef& ref, QPointF p) {
  if (ref.pair < 0) {
    pending_ = p;
  } else if (ref.target) {
    pairs_[ref.pair].target = p;
  } else {
    pairs_[ref.pair].handle = p;
  }
}

std::optional<DragTool::PointRef> DragTool::hitTest(QPointF widgetPos) const {
  if (!canvas()) return std::nullopt;
  const ViewTransform& view = canvas()->view();
  std::optional<PointRef> best;
  double bestDistance = kGrabRadius;
  auto consider = [&](const PointRef& ref) {
    const QPointF w = view.imageToWidget(pointAt(ref) + QPointF(0.5, 0.5));
    const double d = std::hypot(w.x() - widgetPos.x(), w.y() - widgetPos.y());
    if (d <= bestDistance) {
      bestDistance = d;
      best = ref;
    }
  };
  if (pending_) consider({-1, false});
  for (int i = int(pairs_.size()) - 1; i >= 0; --i) {
    consider({i, true});
    consider({i, false});
  }
  return best;
}

void DragTool::deleteRef(const PointRef& ref) {
  if (ref.pair < 0) {
    pending_.reset();
    lastTouched_.reset();
    requestRepaint();
    return;
  }
  removePair(ref.pair);
}

void DragTool::pointerPress(const PointerEvent& e) {
  const Document* doc = document();
  if (!doc || doc->isNull()) return;
  const auto hit = hitTest(e.widgetPos);
  if (e.button == Qt::RightButton) {
    if (hit) deleteRef(*hit);
    return;
  }
  if (e.button != Qt::LeftButton) return;
  if (hit) {
    grabbed_ = hit;
    grabOffset_ = pointAt(*hit) - e.imagePos;
    lastTouched_ = hit;
    moved_ = false;
    return;
  }
  const QRectF bounds(QPointF(0, 0), QSizeF(doc->size()));
  if (!bounds.contains(e.imagePos)) return;
  const QPointF p = clampToImage(e.imagePos);
  if (!pending_) {
    pending_ = p;
    lastTouched_ = PointRef{-1, false};
    requestRepaint();
    return;
  }
  pairs_.append(DragPair{*pending_, p});
  pending_.reset();
  lastTouched_ = PointRef{int(pairs_.size()) - 1, true};
  requestRepaint();
  Q_EMIT pairsChanged();
}

void DragTool::pointerMove(const PointerEvent& e) {
  if (grabbed_) {
    const QPointF p = clampToImage(e.imagePos + grabOffset_);
    if (p != pointAt(*grabbed_)) {
      setPoint(*grabbed_, p);
      moved_ = true;
      requestRepaint();
    }
    return;
  }
  const auto hit = hitTest(e.widgetPos);
  const bool changed = hit.has_value() != hover_.has_value() ||
                       (hit && (hit->pair != hover_->pair || hit->target != hover_->target));
  hover_ = hit;
  if (changed) {
    requestRepaint();
    Q_EMIT cursorChanged();
  }
}

void DragTool::pointerRelease(const PointerEvent& e) {
  if (!grabbed_ || e.button != Qt::LeftButton) return;
  const bool wasPair = grabbed_->pair >= 0;
  grabbed_.reset();
  if (moved_ && wasPair) Q_EMIT pairsChanged();
  moved_ = false;
}

bool DragTool::keyPress(QKeyEvent* e) {
  if (e->modifiers() != Qt::NoModifier) return false;
  if (e->key() == Qt::Key_Escape && pending_) {
    deleteRef({-1, false});
    return true;
  }
  if (isDeleteKey(e->key())) {
    if (lastTouched_) {
      deleteRef(*lastTouched_);
      return true;
    }
    if (pending_) {
      deleteRef({-1, false});
      return true;
    }
  }
  return false;
}

QCursor DragTool::cursor() const {
  if (grabbed_) return QCursor(Qt::ClosedHandCursor);
  if (hover_) return QCursor(Qt::OpenHandCursor);
  return QCursor(Qt::CrossCursor);
}

void DragTool::paint(QPainter& p, const ViewTransform& view) {
  if (pairs_.isEmpty() && !pending_) return;
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  if (faded_) p.setOpacity(0.45);
  auto at = [&](QPointF image) { return view.imageToWidget(image + QPointF(0.5, 0.5)); };
  auto radius = [&](const PointRef& ref) {
    const bool active = (hover_ && hover_->pair == ref.pair && hover_->target == ref.target) ||
                        (grabbed_ && grabbed_->pair == ref.pair && grabbed_->target == ref.target);
    return active ? 8.0 : 6.0;
  };
  for (int i = 0; i < pairs_.size(); ++i) {
    const QPointF a = at(pairs_[i].handle), b = at(pairs_[i].target);
    drawArrow(p, a, b, QColor(255, 255, 255, 230));
    const double rb = radius({i, true});
    p.setPen(QPen(Qt::white, 1.5));
    p.setBrush(kTarget);
    p.drawEllipse(b, rb, rb);
    const double ra = radius({i, false});
    p.setBrush(kHandle);
    p.drawEllipse(a, ra, ra);
  }
  if (pending_) {
    const QPointF a = at(*pending_);
    const double r = radius({-1, false});
    p.setPen(QPen(Qt::white, 1.5, Qt::DashLine));
    p.setBrush(kHandle);
    p.drawEllipse(a, r, r);
  }
  p.restore();
}

}  // namespace latentshop::ui
