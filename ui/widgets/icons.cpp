#include "ui/widgets/icons.h"

#include <QApplication>
#include <QIconEngine>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>

namespace latentshop::ui {

namespace {

// Draws icon `id` on a 24 x 24 design grid in `color`.
void drawGlyph(QPainter& p, IconId id, const QColor& color) {
  QPen pen(color, 1.8, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
  p.setPen(pen);
  p.setBrush(Qt::NoBrush);
  QColor soft = color;
  soft.setAlphaF(color.alphaF() * 0.35);
  QPainterPath path;
  switch (id) {
    case IconId::Open:
      path.moveTo(3, 6.5);
      path.lineTo(9.5, 6.5);
      path.lineTo(11.5, 8.5);
      path.lineTo(21, 8.5);
      path.lineTo(21, 19);
      path.lineTo(3, 19);
      path.closeSubpath();
      p.drawPath(path);
      p.drawLine(QPointF(3, 11.5), QPointF(21, 11.5));
      break;
    case IconId::Save:
      p.drawRoundedRect(QRectF(4, 4, 16, 16), 2, 2);
      p.drawRect(QRectF(8, 4, 8, 5));
      p.drawRect(QRectF(7.5, 13, 9, 7));
      break;
    case IconId::Undo:
    case IconId::Redo: {
      p.save();
      if (id == IconId::Redo) {
        p.translate(24, 0);
        p.scale(-1, 1);
      }
      path.moveTo(5, 10);
      path.lineTo(14, 10);
      path.cubicTo(20.5, 10, 20.5, 19, 14, 19);
      path.lineTo(10, 19);
      p.drawPath(path);
      p.drawPolyline(QPolygonF({QPointF(9, 6), QPointF(5, 10), QPointF(9, 14)}));
      p.restore();
      break;
    }
    case IconId::Brush:
      p.setPen(QPen(color, 2.6, Qt::SolidLine, Qt::RoundCap));
      p.drawLine(QPointF(20, 4), QPointF(12, 12.5));
      path.moveTo(11, 12.5);
      path.cubicTo(7, 12.5, 5, 15, 4.5, 20);
      path.cubicTo(9, 20, 12.5, 18, 12.5, 14);
      path.closeSubpath();
      p.setPen(Qt::NoPen);
      p.setBrush(color);
      p.drawPath(path);
      break;
    case IconId::Eraser:
      path.moveTo(3.5, 14.5);
      path.lineTo(12, 6);
      path.lineTo(19.5, 13.5);
      path.lineTo(13.5, 19.5);
      path.lineTo(8.5, 19.5);
      path.closeSubpath();
      p.drawPath(path);
      p.fillPath([&] {
        QPainterPath tip;
        tip.moveTo(3.5, 14.5);
        tip.lineTo(7.75, 10.25);
        tip.lineTo(13.75, 16.25);
        tip.lineTo(10.5, 19.5);
        tip.lineTo(8.5, 19.5);
        tip.closeSubpath();
        return tip;
      }(), soft);
      p.drawLine(QPointF(13.5, 19.5), QPointF(21, 19.5));
      break;
    case IconId::ZoomIn:
    case IconId::ZoomOut:
      p.drawEllipse(QPointF(10.5, 10.5), 6.5, 6.5);
      p.setPen(QPen(color, 2.4, Qt::SolidLine, Qt::RoundCap));
      p.drawLine(QPointF(15.5, 15.5), QPointF(20.5, 20.5));
      p.setPen(pen);
      p.drawLine(QPointF(7.5, 10.5), QPointF(13.5, 10.5));
      if (id == IconId::ZoomIn) p.drawLine(QPointF(10.5, 7.5), QPointF(10.5, 13.5));
      break;
    case IconId::ZoomFit:
      p.drawPolyline(QPolygonF({QPointF(3.5, 8.5), QPointF(3.5, 3.5), QPointF(8.5, 3.5)}));
      p.drawPolyline(QPolygonF({QPointF(15.5, 3.5), QPointF(20.5, 3.5), QPointF(20.5, 8.5)}));
      p.drawPolyline(QPolygonF({QPointF(20.5, 15.5), QPointF(20.5, 20.5), QPointF(15.5, 20.5)}));
      p.drawPolyline(QPolygonF({QPointF(8.5, 20.5), QPointF(3.5, 20.5), QPointF(3.5, 15.5)}));
      p.fillRect(QRectF(8, 8, 8, 8), soft);
      break;
    case IconId::ZoomActual: {
      QFont f = QApplication::font();
      f.setBold(true);
      f.setPixelSize(11);
      p.setFont(f);
      p.drawText(QRectF(0, 0, 24, 24), Qt::AlignCenter, QStringLiteral("1:1"));
      p.drawRoundedRect(QRectF(2.5, 4.5, 19, 15), 2, 2);
      break;
    }
    case IconId::Invert:
      p.drawEllipse(QPointF(12, 12), 8, 8);
      p.setPen(Qt::NoPen);
      p.setBrush(color);
      p.drawPie(QRectF(4, 4, 16, 16), 90 * 16, 180 * 16);
      break;
    case IconId::Clear:
      p.drawEllipse(QPointF(12, 12), 8, 8);
      p.drawLine(QPointF(6.5, 17.5), QPointF(17.5, 6.5));
      break;
    case IconId::Grow:
    case IconId::Shrink: {
      const bool grow = id == IconId::Grow;
      QPen dashed = pen;
      dashed.setStyle(Qt::DotLine);
      p.setPen(grow ? dashed : pen);
      p.drawRoundedRect(QRectF(3.5, 3.5, 17, 17), 2, 2);
      p.setPen(grow ? pen : dashed);
      p.setBrush(grow ? soft : Qt::transparent);
      p.drawRoundedRect(QRectF(8.5, 8.5, 7, 7), 1, 1);
      break;
    }
    case IconId::Run:
      path.moveTo(7.5, 5);
      path.lineTo(19, 12);
      path.lineTo(7.5, 19);
      path.closeSubpath();
      p.setBrush(color);
      p.drawPath(path);
      break;
    case IconId::Cancel:
      p.setBrush(color);
      p.drawRoundedRect(QRectF(6.5, 6.5, 11, 11), 1.5, 1.5);
      break;
    case IconId::Apply:
      p.setPen(QPen(color, 2.4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
      p.drawPolyline(QPolygonF({QPointF(5, 12.5), QPointF(10, 17.5), QPointF(19.5, 7)}));
      break;
    case IconId::Discard:
      p.setPen(QPen(color, 2.2, Qt::SolidLine, Qt::RoundCap));
      p.drawLine(QPointF(6.5, 6.5), QPointF(17.5, 17.5));
      p.drawLine(QPointF(17.5, 6.5), QPointF(6.5, 17.5));
      break;
    case IconId::Compare:
      p.drawRoundedRect(QRectF(3, 5, 18, 14), 2, 2);
      p.fillRect(QRectF(3.9, 5.9, 8.1, 12.2), soft);
      p.drawLine(QPointF(12, 3), QPointF(12, 21));
      break;
    case IconId::Eye:
      path.moveTo(2.5, 12);
      path.cubicTo(6, 5.5, 18, 5.5, 21.5, 12);
      path.cubicTo(18, 18.5, 6, 18.5, 2.5, 12);
      p.drawPath(path);
      p.setBrush(color);
      p.drawEllipse(QPointF(12, 12), 2.8, 2.8);
      break;
    case IconId::EyeOff:
      path.moveTo(2.5, 12);
      path.cubicTo(6, 5.5, 18, 5.5, 21.5, 12);
      path.cubicTo(18, 18.5, 6, 18.5, 2.5, 12);
      p.setPen(QPen(soft, 1.8));
      p.drawPath(path);
      p.setPen(pen);
      p.drawLine(QPointF(4.5, 19.5), QPointF(19.5, 4.5));
      break;
    case IconId::Duplicate:
      p.drawRoundedRect(QRectF(8.5, 8.5, 12, 12), 2, 2);
      p.drawPolyline(QPolygonF({QPointF(15.5, 5.5), QPointF(15.5, 3.5), QPointF(3.5, 3.5), QPointF(3.5, 15.5), QPointF(5.5, 15.5)}));
      p.drawLine(QPointF(14.5, 11.5), QPointF(14.5, 17.5));
      p.drawLine(QPointF(11.5, 14.5), QPointF(17.5, 14.5));
      break;
    case IconId::Delete:
      p.drawLine(QPointF(4, 6.5), QPointF(20, 6.5));
      p.drawPolyline(QPolygonF({QPointF(9, 6.5), QPointF(9.5, 3.5), QPointF(14.5, 3.5), QPointF(15, 6.5)}));
      path.moveTo(6, 6.5);
      path.lineTo(7.2, 20.5);
      path.lineTo(16.8, 20.5);
      path.lineTo(18, 6.5);
      p.drawPath(path);
      p.drawLine(QPointF(10.3, 10), QPointF(10.5, 17));
      p.drawLine(QPointF(13.7, 10), QPointF(13.5, 17));
      break;
    case IconId::MergeDown:
      p.fillRect(QRectF(4, 15, 16, 5.5), soft);
      p.drawRoundedRect(QRectF(4, 15, 16, 5.5), 1.5, 1.5);
      p.drawLine(QPointF(12, 3.5), QPointF(12, 11.5));
      p.drawPolyline(QPolygonF({QPointF(8.5, 8.5), QPointF(12, 12), QPointF(15.5, 8.5)}));
      break;
    case IconId::MoveUp:
    case IconId::MoveDown:
      p.save();
      if (id == IconId::MoveDown) {
        p.translate(0, 24);
        p.scale(1, -1);
      }
      p.drawLine(QPointF(12, 19.5), QPointF(12, 5));
      p.drawPolyline(QPolygonF({QPointF(6.5, 10.5), QPointF(12, 5), QPointF(17.5, 10.5)}));
      p.restore();
      break;
    case IconId::Copy:
      p.drawRoundedRect(QRectF(8.5, 7.5, 11, 13), 2, 2);
      p.drawPolyline(QPolygonF({QPointF(15.5, 4.5), QPointF(15.5, 3.5), QPointF(4.5, 3.5), QPointF(4.5, 16.5), QPointF(6, 16.5)}));
      p.drawLine(QPointF(11, 12), QPointF(17, 12));
      p.drawLine(QPointF(11, 15.5), QPointF(15.5, 15.5));
      break;
    case IconId::Export:
      p.drawPolyline(QPolygonF({QPointF(9, 9.5), QPointF(4.5, 9.5), QPointF(4.5, 20.5), QPointF(19.5, 20.5), QPointF(19.5, 9.5), QPointF(15, 9.5)}));
      p.drawLine(QPointF(12, 15), QPointF(12, 3.5));
      p.drawPolyline(QPolygonF({QPointF(8, 7.5), QPointF(12, 3.5), QPointF(16, 7.5)}));
      break;
    case IconId::DragPoints:  // a filled handle, an arrow, a target ring
      p.setBrush(color);
      p.drawEllipse(QPointF(6, 18), 2.6, 2.6);
      p.setBrush(Qt::NoBrush);
      p.drawEllipse(QPointF(18, 6), 3.2, 3.2);
      p.drawLine(QPointF(8.2, 15.8), QPointF(14.2, 9.8));
      p.drawPolyline(QPolygonF({QPointF(10.2, 9.8), QPointF(14.2, 9.8), QPointF(14.2, 13.8)}));
      break;
    case IconId::Select: {  // a dashed marquee with an ellipse inside
      QPen dashed = p.pen();
      dashed.setStyle(Qt::DashLine);
      p.setPen(dashed);
      p.setBrush(Qt::NoBrush);
      p.drawRect(QRectF(3.5, 4.5, 17, 15));
      p.setPen(QPen(color, 1.6));
      p.drawEllipse(QRectF(7.5, 8.5, 9, 7));
      break;
    }
  }
}

class GlyphEngine : public QIconEngine {
public:
  explicit GlyphEngine(IconId id) : id_(id) {}
  QIconEngine* clone() const override { return new GlyphEngine(id_); }

  void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State) override {
    const QPalette pal = QApplication::palette();
    QColor c = pal.color(mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active, QPalette::ButtonText);
    if (mode == QIcon::Selected) c = pal.color(QPalette::HighlightedText);
    if (mode == QIcon::Disabled) c.setAlphaF(0.45);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setRenderHint(QPainter::TextAntialiasing, true);
    const double side = std::min(rect.width(), rect.height());
    painter->translate(rect.x() + (rect.width() - side) / 2.0, rect.y() + (rect.height() - side) / 2.0);
    painter->scale(side / 24.0, side / 24.0);
    drawGlyph(*painter, id_, c);
    painter->restore();
  }

  QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override {
    return scaledPixmap(size, mode, state, 1.0);
  }

  QPixmap scaledPixmap(const QSize& size, QIcon::Mode mode, QIcon::State state, qreal scale) override {
    QPixmap pm(size * scale);
    pm.fill(Qt::transparent);
    pm.setDevicePixelRatio(scale);
    QPainter p(&pm);
    paint(&p, QRect(QPoint(0, 0), size), mode, state);
    return pm;
  }

private:
  IconId id_;
};

}  // namespace

QIcon themedIcon(IconId id) { return QIcon(new GlyphEngine(id)); }

}  // namespace latentshop::ui
