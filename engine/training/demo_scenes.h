// The demo models' training data, made procedurally: scenes of named shapes (circle, square,
// triangle) in named colours on solid, striped, checkered, textured or photographic backgrounds,
// each with the caption it shows ("a red circle on a blue and white striped background"), and
// instruction pairs made by known edits of a scene ("make the circle green", "make it grayscale",
// "remove the square"). Everything is drawn with OpenCV at 4x and area-averaged down, so edges are
// anti-aliased; every draw comes from the std::mt19937_64 the caller seeds, so a seed and step give
// the same batch everywhere.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace latentshop::training {

struct NamedColour {
  const char* name;
  cv::Vec3b rgb;
};
// The colours captions name (red, green, blue, yellow, orange, purple, pink, white, black, gray,
// brown, cyan).
const std::vector<NamedColour>& namedColours();
const NamedColour& namedColour(const std::string& name);  // throws Error for an unknown name
// "circle", "square", "triangle".
const std::vector<std::string>& shapeKinds();

struct SceneShape {
  std::string kind;    // circle | square | triangle
  int colour = 0;      // index into namedColours()
  cv::Point2f centre;  // in [0, 1]² of the image
  float size = 0.25f;  // half the extent, fraction of the image side
};

enum class BackgroundKind { Solid, Striped, Checkered, Textured, Photo };

struct Scene {
  BackgroundKind background = BackgroundKind::Solid;
  int colour1 = 0, colour2 = 1;  // background colours (indices into namedColours())
  int photo = -1;                // Photo: index into the photo pool
  cv::Rect2f photoCrop;          // Photo: crop of that photo, fraction of its size
  float stripeAngle = 0.0f;      // Striped: direction (radians); Checkered: cell size (fraction)
  std::uint64_t textureSeed = 0;
  std::vector<SceneShape> shapes;
};

// Crops of real photos (the test photos and the sample wallpaper): images loaded once, shrunk so
// the long side is at most 384 px.
class PhotoPool {
public:
  PhotoPool() = default;
  // Every .jpg/.jpeg/.png directly in `folders` and the `files` that exist; unreadable ones skipped.
  static PhotoPool load(const std::vector<std::string>& folders, const std::vector<std::string>& files);
  bool empty() const { return photos_.empty(); }
  std::size_t size() const { return photos_.size(); }
  const cv::Mat& photo(int i) const { return photos_.at(static_cast<std::size_t>(i)); }
  const std::vector<std::string>& sources() const { return sources_; }

private:
  std::vector<cv::Mat> photos_;  // RGB CV_8UC3
  std::vector<std::string> sources_;
};

// A random scene: 0–2 shapes (not overlapping much) on a random background; photographic
// backgrounds only when the pool has photos.
Scene randomScene(std::mt19937_64& rng, const PhotoPool& photos);
// RGB CV_8UC3 of `size`×`size`.
cv::Mat renderScene(const Scene& scene, int size, const PhotoPool& photos);
// The region a shape covers (CV_8UC1 0/255, `size`×`size`).
cv::Mat shapeMask(const SceneShape& shape, int size);
// "a red circle and a blue square on a yellow background"; `withBackground` false: "a red circle
// and a blue square" (a scene without shapes always names its background).
std::string caption(const Scene& scene, bool withBackground = true);
std::string backgroundCaption(const Scene& scene);  // "a blue and white striped background"

struct InstructPair {
  cv::Mat before, after;  // RGB CV_8UC3
  std::string instruction;
};
// A random known edit of a random scene: recolour a shape ("make the circle green"), recolour the
// background ("make the background yellow"), grayscale ("make it grayscale"), remove a shape
// ("remove the square").
InstructPair randomInstructPair(std::mt19937_64& rng, const PhotoPool& photos, int size);

}  // namespace latentshop::training
