#include "ui/document/layer.h"

#include <QCoreApplication>

namespace latentshop::ui {

QString layerKindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::Image: return QStringLiteral("image");
    case LayerKind::Result: return QStringLiteral("result");
    case LayerKind::Mask: return QStringLiteral("mask");
    case LayerKind::Annotation: return QStringLiteral("annotation");
  }
  return QStringLiteral("image");
}

std::optional<LayerKind> layerKindFromName(const QString& name) {
  for (LayerKind k : {LayerKind::Image, LayerKind::Result, LayerKind::Mask, LayerKind::Annotation})
    if (layerKindName(k) == name) return k;
  return std::nullopt;
}

QString layerCountText(int layersAboveOriginal) {
  const int n = layersAboveOriginal + 1;
  return n == 1 ? QCoreApplication::translate("Layer", "1 layer") : QCoreApplication::translate("Layer", "%1 layers").arg(n);
}

}  // namespace latentshop::ui
