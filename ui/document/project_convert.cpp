#include "ui/document/project_convert.h"

#include <cstring>
#include <map>
#include <set>

#include <QJsonArray>
#include <QSet>
#include <QVariant>

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"

namespace latentshop::ui {

namespace {

// A cv::Mat header over a 32-bit QImage's pixels (no copy; BGRA byte order on little-endian).
cv::Mat wrap32(const QImage& image) {
  return cv::Mat(image.height(), image.width(), CV_8UC4, const_cast<uchar*>(image.constBits()),
                 static_cast<size_t>(image.bytesPerLine()));
}

bool allOpaque(const cv::Mat& rgba) {
  cv::Mat alpha;
  cv::extractChannel(rgba, alpha, 3);
  double lo = 0;
  cv::minMaxLoc(alpha, &lo);
  return lo >= 255.0;
}

bool anyVisible(const cv::Mat& rgba) {
  if (rgba.empty()) return false;
  cv::Mat alpha;
  cv::extractChannel(rgba, alpha, 3);
  return cv::countNonZero(alpha) > 0;
}

nlohmann::json toNlohmannValue(const QJsonValue& v) {
  switch (v.type()) {
    case QJsonValue::Bool: return v.toBool();
    case QJsonValue::Double: {
      const QVariant var = v.toVariant();
      if (var.typeId() == QMetaType::LongLong) return var.toLongLong();
      return v.toDouble();
    }
    case QJsonValue::String: return v.toString().toStdString();
    case QJsonValue::Array: {
      nlohmann::json a = nlohmann::json::array();
      for (const QJsonValue& e : v.toArray()) a.push_back(toNlohmannValue(e));
      return a;
    }
    case QJsonValue::Object: return toNlohmann(v.toObject());
    case QJsonValue::Null:
    case QJsonValue::Undefined: break;
  }
  return nullptr;
}

QJsonValue toQJsonValue(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::boolean: return j.get<bool>();
    case nlohmann::json::value_t::number_integer: return qint64(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u <= std::uint64_t(INT64_MAX)) return qint64(u);
      return double(u);
    }
    case nlohmann::json::value_t::number_float: return j.get<double>();
    case nlohmann::json::value_t::string: return QString::fromStdString(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      QJsonArray a;
      for (const auto& e : j) a.append(toQJsonValue(e));
      return a;
    }
    case nlohmann::json::value_t::object: return toQJson(j);
    default: return QJsonValue();
  }
}

std::vector<DragPoint> toDragPoints(const QList<DragPair>& points) {
  std::vector<DragPoint> out;
  out.reserve(size_t(points.size()));
  for (const DragPair& p : points)
    out.push_back({cv::Point2f(float(p.handle.x()), float(p.handle.y())),
                   cv::Point2f(float(p.target.x()), float(p.target.y()))});
  return out;
}

QList<DragPair> fromDragPoints(const std::vector<DragPoint>& points) {
  QList<DragPair> out;
  for (const DragPoint& p : points) out.push_back({QPointF(p.handle.x, p.handle.y), QPointF(p.target.x, p.target.y)});
  return out;
}

// Whether a project layer can be the document's original: the whole canvas, shown as is.
bool servesAsOriginal(const ProjectLayer& l, const cv::Size& canvas) {
  return l.kind == latentshop::LayerKind::Image && l.x == 0 && l.y == 0 && l.rgba.size() == canvas && l.visible &&
         l.opacity == 1.0 && l.compositeOp == kCompositeSrcOver && l.mask.empty() && l.points.empty();
}

latentshop::LayerKind toProjectKind(ui::LayerKind k) {
  switch (k) {
    case ui::LayerKind::Image: return latentshop::LayerKind::Image;
    case ui::LayerKind::Result: return latentshop::LayerKind::Result;
    case ui::LayerKind::Mask: return latentshop::LayerKind::Mask;
    case ui::LayerKind::Annotation: return latentshop::LayerKind::Annotation;
  }
  return latentshop::LayerKind::Image;
}

ui::LayerKind fromProjectKind(latentshop::LayerKind k) {
  switch (k) {
    case latentshop::LayerKind::Image: return ui::LayerKind::Image;
    case latentshop::LayerKind::Result: return ui::LayerKind::Result;
    case latentshop::LayerKind::Mask: return ui::LayerKind::Mask;
    case latentshop::LayerKind::Annotation: return ui::LayerKind::Annotation;
  }
  return ui::LayerKind::Image;
}

}  // namespace

std::string projectLayerId(LayerId id) { return "layer-" + std::to_string(id); }

LayerId layerIdFromProject(const std::string& id) {
  static const std::string prefix = "layer-";
  if (id.size() <= prefix.size() || id.size() > prefix.size() + 9 || id.compare(0, prefix.size(), prefix) != 0)
    return 0;
  LayerId n = 0;
  for (size_t i = prefix.size(); i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return 0;
    n = n * 10 + (id[i] - '0');
  }
  // "layer-07" would not give the same text back.
  return projectLayerId(n) == id ? n : 0;
}

cv::Mat rgbaFromImage(const QImage& image) {
  if (image.isNull()) return cv::Mat();
  if (QSysInfo::ByteOrder == QSysInfo::LittleEndian &&
      (image.format() == QImage::Format_ARGB32 || image.format() == QImage::Format_RGB32)) {
    cv::Mat out;
    cv::cvtColor(wrap32(image), out, cv::COLOR_BGRA2RGBA);
    if (image.format() == QImage::Format_RGB32) {
      cv::Mat alpha(out.size(), CV_8UC1, cv::Scalar(255));  // RGB32's fourth byte is undefined
      cv::insertChannel(alpha, out, 3);
    }
    return out;
  }
  const QImage rgba = image.convertToFormat(QImage::Format_RGBA8888);
  cv::Mat out(rgba.height(), rgba.width(), CV_8UC4);
  for (int y = 0; y < rgba.height(); ++y)
    std::memcpy(out.ptr<uchar>(y), rgba.constScanLine(y), size_t(rgba.width()) * 4);
  return out;
}

QImage imageFromRgba(const cv::Mat& rgba, bool opaqueAsRgb32) {
  if (rgba.empty()) return QImage();
  if (rgba.type() != CV_8UC4) throw Error("layer pixels: expected 8-bit RGBA");
  const bool rgb32 = opaqueAsRgb32 && allOpaque(rgba);
  QImage out(rgba.cols, rgba.rows, rgb32 ? QImage::Format_RGB32 : QImage::Format_ARGB32);
  if (out.isNull()) throw Error("layer pixels: out of memory for " + std::to_string(rgba.cols) + "x" + std::to_string(rgba.rows));
  if (QSysInfo::ByteOrder == QSysInfo::LittleEndian) {
    cv::Mat dst = wrap32(out);
    cv::cvtColor(rgba, dst, cv::COLOR_RGBA2BGRA);
    return out;
  }
  QImage tmp(rgba.cols, rgba.rows, QImage::Format_RGBA8888);
  for (int y = 0; y < rgba.rows; ++y) std::memcpy(tmp.scanLine(y), rgba.ptr<uchar>(y), size_t(rgba.cols) * 4);
  return tmp.convertToFormat(out.format());
}

cv::Mat grayFromImage(const QImage& image) {
  if (image.isNull()) return cv::Mat();
  const QImage gray = image.format() == QImage::Format_Grayscale8 ? image : image.convertToFormat(QImage::Format_Grayscale8);
  cv::Mat out(gray.height(), gray.width(), CV_8UC1);
  for (int y = 0; y < gray.height(); ++y) std::memcpy(out.ptr<uchar>(y), gray.constScanLine(y), size_t(gray.width()));
  return out;
}

QImage imageFromGray(const cv::Mat& gray) {
  if (gray.empty()) return QImage();
  if (gray.type() != CV_8UC1) throw Error("mask: expected 8-bit single-channel");
  QImage out(gray.cols, gray.rows, QImage::Format_Grayscale8);
  for (int y = 0; y < gray.rows; ++y) std::memcpy(out.scanLine(y), gray.ptr<uchar>(y), size_t(gray.cols));
  return out;
}

nlohmann::json toNlohmann(const QJsonObject& object) {
  nlohmann::json j = nlohmann::json::object();
  for (auto it = object.begin(); it != object.end(); ++it) j[it.key().toStdString()] = toNlohmannValue(it.value());
  return j;
}

QJsonObject toQJson(const nlohmann::json& object) {
  QJsonObject out;
  if (!object.is_object()) return out;
  for (auto it = object.begin(); it != object.end(); ++it)
    out.insert(QString::fromStdString(it.key()), toQJsonValue(it.value()));
  return out;
}

latentshop::Project projectFromContent(const DocumentContent& c) {
  Project p;
  p.width = c.original.width();
  p.height = c.original.height();
  const cv::Size canvas(p.width, p.height);
  std::set<std::string> layerIds;
  for (const Layer& l : c.layers) layerIds.insert(projectLayerId(l.id));

  // The original: always, unless the document has none (a transparent canvas under a foreign ORA's
  // layers) and nothing was merged into it.
  const cv::Mat original = rgbaFromImage(c.original);
  const bool hasOriginal = !c.info.originalId.isEmpty() || anyVisible(original);
  std::string originalId;
  if (hasOriginal) {
    originalId = c.info.originalId.isEmpty() ? std::string("original") : c.info.originalId.toStdString();
    for (int n = 2; layerIds.count(originalId); ++n) originalId = "original-" + std::to_string(n);
    ProjectLayer o;
    o.id = originalId;
    o.name = c.info.originalName.toStdString();
    o.rgba = original;
    o.kind = latentshop::LayerKind::Image;
    o.params = toNlohmann(c.info.originalParams);
    p.layers.push_back(std::move(o));
    p.meta.originalLayerId = originalId;
  }

  nlohmann::json pending = nlohmann::json::array();
  for (const Layer& l : c.layers) {
    ProjectLayer pl;
    pl.id = projectLayerId(l.id);
    pl.name = l.name.toStdString();
    pl.rgba = rgbaFromImage(l.image);
    pl.x = l.offset.x();
    pl.y = l.offset.y();
    pl.visible = l.visible;
    pl.opacity = l.opacity;
    pl.compositeOp = l.compositeOp.isEmpty() ? std::string(kCompositeSrcOver) : l.compositeOp.toStdString();
    pl.kind = toProjectKind(l.kind);
    pl.params = toNlohmann(l.params);
    if (!l.mask.isNull() && l.mask.size() == c.original.size()) pl.mask = grayFromImage(l.mask);
    pl.points = toDragPoints(l.points);
    if (l.pending) pending.push_back(pl.id);
    p.layers.push_back(std::move(pl));
  }

  ProjectMetadata& m = p.meta;
  m.model = c.info.model.toStdString();
  m.activeLayerId = c.activeLayer ? projectLayerId(c.activeLayer) : originalId;
  if (c.activeLayer && !layerIds.count(m.activeLayerId)) m.activeLayerId = originalId;
  if (!c.mask.isNull() && c.mask.size() == c.original.size()) m.workingMask = grayFromImage(c.mask);
  if (!c.keepOut.isNull() && c.keepOut.size() == c.original.size()) m.keepOutMask = grayFromImage(c.keepOut);
  m.workingPoints = toDragPoints(c.workingPoints);
  const QRect s = c.info.selection;
  m.selection = s.isEmpty() ? cv::Rect() : cv::Rect(s.x(), s.y(), s.width(), s.height());
  m.sourcePath = c.info.sourcePath.toStdString();
  m.extra = toNlohmann(c.info.extra);
  m.extra.erase(kPendingLayersKey);
  if (!pending.empty()) m.extra[kPendingLayersKey] = pending;
  return p;
}

DocumentContent contentFromProject(const latentshop::Project& p) {
  validateProject(p, "project");
  DocumentContent c;
  const cv::Size canvas = p.size();
  const ProjectLayer* original = p.original();
  size_t first = 0;
  if (original && p.layerIndex(original->id) == 0 && servesAsOriginal(*original, canvas)) {
    c.original = imageFromRgba(original->rgba, true);
    c.info.originalId = QString::fromStdString(original->id);
    c.info.originalName = QString::fromStdString(original->name);
    c.info.originalParams = toQJson(original->params);
    first = 1;
  } else {
    c.original = QImage(p.width, p.height, QImage::Format_ARGB32);
    if (c.original.isNull()) throw Error("project: out of memory for a " + std::to_string(p.width) + "x" + std::to_string(p.height) + " canvas");
    c.original.fill(Qt::transparent);
    c.info.originalId.clear();
  }

  // Ids: "layer-N" keeps N; anything else (or a clash) gets a fresh number after the largest.
  std::map<std::string, LayerId> ids;
  QSet<LayerId> used;
  LayerId next = 1;
  for (size_t i = first; i < p.layers.size(); ++i) {
    const LayerId n = layerIdFromProject(p.layers[i].id);
    if (n > 0 && !used.contains(n)) {
      ids[p.layers[i].id] = n;
      used.insert(n);
      next = std::max(next, n + 1);
    }
  }
  for (size_t i = first; i < p.layers.size(); ++i)
    if (!ids.count(p.layers[i].id)) ids[p.layers[i].id] = next++;

  std::set<std::string> pending;
  const nlohmann::json& extra = p.meta.extra;
  if (auto it = extra.find(kPendingLayersKey); it != extra.end() && it->is_array())
    for (const auto& e : *it)
      if (e.is_string()) pending.insert(e.get<std::string>());

  for (size_t i = first; i < p.layers.size(); ++i) {
    const ProjectLayer& pl = p.layers[i];
    Layer l;
    l.id = ids[pl.id];
    l.name = QString::fromStdString(pl.name);
    l.kind = fromProjectKind(pl.kind);
    l.image = imageFromRgba(pl.rgba);
    l.offset = QPoint(pl.x, pl.y);
    l.visible = pl.visible;
    l.opacity = pl.opacity;
    l.compositeOp = QString::fromStdString(pl.compositeOp);
    l.pending = pending.count(pl.id) > 0;
    l.params = toQJson(pl.params);
    l.mask = imageFromGray(pl.mask);
    l.points = fromDragPoints(pl.points);
    c.layers.push_back(std::move(l));
  }

  const ProjectMetadata& m = p.meta;
  c.mask = imageFromGray(m.workingMask);
  c.keepOut = imageFromGray(m.keepOutMask);
  c.workingPoints = fromDragPoints(m.workingPoints);
  c.activeLayer = ids.count(m.activeLayerId) ? ids[m.activeLayerId] : 0;
  c.info.model = QString::fromStdString(m.model);
  c.info.sourcePath = QString::fromStdString(m.sourcePath);
  c.info.selection = m.selection.empty() ? QRect() : QRect(m.selection.x, m.selection.y, m.selection.width, m.selection.height);
  c.info.extra = toQJson(m.extra);
  c.info.extra.remove(QString::fromLatin1(kPendingLayersKey));
  return c;
}

}  // namespace latentshop::ui
