// One layer of a Latentshop document: the result of an edit, a mask or an annotation, stacked over
// the original image. Plain data; the Document owns the stack and changes it through undo commands.
// Modelled on OpenRaster's <layer> (name, visibility, opacity, x/y offset, normal blending) so a
// layer maps one-to-one onto an ORA/PSD layer (engine/io/project.h's ProjectLayer; the converter
// is ui/document/project_convert.h), plus Latentshop's own: kind, pending, params, mask, points.
#pragma once
#include <optional>

#include <QImage>
#include <QJsonObject>
#include <QList>
#include <QPoint>
#include <QPointF>
#include <QRect>
#include <QString>

namespace latentshop::ui {

using LayerId = int;  // unique within a document, > 0; 0 means "none"

enum class LayerKind {
  Image,       // pixels (a pasted or imported image)
  Result,      // the output of an edit (inpaint, instruct, drag); carries its params
  Mask,        // a saved mask: the selection in `mask`, a grey picture of it in `image`
  Annotation,  // non-pixel data drawn over the image (e.g. drag points, kept in params)
};

// "image" / "result" / "mask" / "annotation" (stable: stored in project files).
QString layerKindName(LayerKind kind);
// "1 layer" / "3 layers", counting the original as the Layers panel lists it: `layersAboveOriginal`
// is Document::layerCount() (or a project's layers without the original) + 1.
QString layerCountText(int layersAboveOriginal);
std::optional<LayerKind> layerKindFromName(const QString& name);

// One drag handle and where it should go, in document pixels.
struct DragPair {
  QPointF handle;
  QPointF target;
  bool operator==(const DragPair& o) const { return handle == o.handle && target == o.target; }
};

struct Layer {
  LayerId id = 0;
  QString name;
  LayerKind kind = LayerKind::Image;
  // Format_ARGB32 (straight alpha, like PNG/ORA) for every kind (a Mask layer's grey picture, an
  // Annotation's drawing). Its size may be smaller than the document: it sits at `offset`.
  QImage image;
  QPoint offset;           // top-left corner in document pixels
  bool visible = true;
  qreal opacity = 1.0;     // 0..1, blended with normal (source-over) mode
  // The blend mode as a project file names it. Latentshop composites every layer as normal; another
  // mode read from an ORA written elsewhere is kept so saving gives it back unchanged.
  QString compositeOp = QStringLiteral("svg:src-over");
  bool pending = false;    // a result the user has not applied or discarded yet
  QJsonObject params;      // what made it: {"tool":"inpaint","method":"classical.telea",...}
  QImage mask;             // optional, Format_Grayscale8 at document size: the mask the edit used
  QList<DragPair> points;  // optional: the drag handles/targets that made it

  QRect bounds() const { return QRect(offset, image.size()); }
  // Whether it draws into the composite (masks and annotations never do).
  bool isPixelLayer() const { return kind == LayerKind::Image || kind == LayerKind::Result; }
};

}  // namespace latentshop::ui
