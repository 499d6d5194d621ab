#include "engine/io/ora_format.h"

#include <cmath>

#include "engine/core/error.h"

namespace latentshop::ora {

nlohmann::json pointsToJson(const std::vector<DragPoint>& points) {
  nlohmann::json out = nlohmann::json::array();
  for (const DragPoint& p : points)
    out.push_back({{"handle", {p.handle.x, p.handle.y}}, {"target", {p.target.x, p.target.y}}});
  return out;
}

namespace {
cv::Point2f pointFromJson(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number())
    throw Error(what + ": expected a point [x, y], got " + j.dump());
  const double x = j[0].get<double>();
  const double y = j[1].get<double>();
  if (!std::isfinite(x) || !std::isfinite(y)) throw Error(what + ": point is not finite");
  return {static_cast<float>(x), static_cast<float>(y)};
}
}  // namespace

std::vector<DragPoint> pointsFromJson(const nlohmann::json& j, const std::string& what) {
  std::vector<DragPoint> out;
  if (j.is_null()) return out;
  if (!j.is_array()) throw Error(what + ": drag points must be a list");
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& p = j[i];
    const std::string at = what + ": drag point " + std::to_string(i);
    if (!p.is_object() || !p.contains("handle") || !p.contains("target"))
      throw Error(at + ": expected {\"handle\": [x, y], \"target\": [x, y]}");
    out.push_back({pointFromJson(p["handle"], at), pointFromJson(p["target"], at)});
  }
  return out;
}

std::string numberText(double v) { return nlohmann::json(v).dump(); }

}  // namespace latentshop::ora
