#include "engine/training/demo_scenes.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"

namespace latentshop::training {

namespace {

constexpr int kSupersample = 4;

int uniformInt(std::mt19937_64& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
float uniform(std::mt19937_64& rng, float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); }
bool chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

cv::Scalar scalarOf(int colour) {
  const auto& c = namedColours().at(static_cast<std::size_t>(colour)).rgb;
  return cv::Scalar(c[0], c[1], c[2]);
}

int otherColour(std::mt19937_64& rng, int avoid1, int avoid2 = -1) {
  const int n = static_cast<int>(namedColours().size());
  int c = 0;
  do c = uniformInt(rng, 0, n - 1);
  while (c == avoid1 || c == avoid2);
  return c;
}

void drawShape(cv::Mat& canvas, const SceneShape& s, const cv::Scalar& colour) {
  const float side = static_cast<float>(canvas.cols);
  const cv::Point2f c(s.centre.x * side, s.centre.y * side);
  const float r = s.size * side;
  const int shift = 4;  // sub-pixel coordinates
  auto fixed = [&](cv::Point2f p) { return cv::Point(cvRound(p.x * 16), cvRound(p.y * 16)); };
  if (s.kind == "circle") {
    cv::circle(canvas, fixed(c), cvRound(r * 16), colour, cv::FILLED, cv::LINE_AA, shift);
  } else if (s.kind == "square") {
    std::vector<cv::Point> pts{fixed({c.x - r, c.y - r}), fixed({c.x + r, c.y - r}), fixed({c.x + r, c.y + r}),
                               fixed({c.x - r, c.y + r})};
    cv::fillConvexPoly(canvas, pts, colour, cv::LINE_AA, shift);
  } else {
    std::vector<cv::Point> pts{fixed({c.x, c.y - r}), fixed({c.x + r * 1.1547f, c.y + r * 0.8f}),
                               fixed({c.x - r * 1.1547f, c.y + r * 0.8f})};
    cv::fillConvexPoly(canvas, pts, colour, cv::LINE_AA, shift);
  }
}

cv::Mat background(const Scene& s, int side, const PhotoPool& photos) {
  cv::Mat bg(side, side, CV_8UC3, scalarOf(s.colour1));
  switch (s.background) {
    case BackgroundKind::Solid: break;
    case BackgroundKind::Striped: {
      const float period = static_cast<float>(side) / 4.0f;
      const float dx = std::cos(s.stripeAngle), dy = std::sin(s.stripeAngle);
      const cv::Vec3b c2 = namedColours()[static_cast<std::size_t>(s.colour2)].rgb;
      for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
          if (std::fmod(std::fabs(x * dx + y * dy), period) < period / 2) bg.at<cv::Vec3b>(y, x) = c2;
      break;
    }
    case BackgroundKind::Checkered: {
      const int cell = std::max(1, static_cast<int>(s.stripeAngle * static_cast<float>(side)));
      const cv::Vec3b c2 = namedColours()[static_cast<std::size_t>(s.colour2)].rgb;
      for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
          if (((x / cell) + (y / cell)) % 2 == 1) bg.at<cv::Vec3b>(y, x) = c2;
      break;
    }
    case BackgroundKind::Textured: {
      cv::RNG texture(s.textureSeed);
      cv::Mat noise(side / 8, side / 8, CV_32FC1);
      texture.fill(noise, cv::RNG::NORMAL, 0.0, 28.0);
      cv::resize(noise, noise, bg.size(), 0, 0, cv::INTER_CUBIC);
      cv::Mat f;
      bg.convertTo(f, CV_32FC3);
      std::vector<cv::Mat> ch;
      cv::split(f, ch);
      for (auto& c : ch) c += noise;
      cv::merge(ch, f);
      f.convertTo(bg, CV_8UC3);
      break;
    }
    case BackgroundKind::Photo: {
      if (s.photo < 0 || static_cast<std::size_t>(s.photo) >= photos.size()) break;
      const cv::Mat& p = photos.photo(s.photo);
      const cv::Rect r(cvRound(s.photoCrop.x * p.cols), cvRound(s.photoCrop.y * p.rows),
                       std::max(1, cvRound(s.photoCrop.width * p.cols)), std::max(1, cvRound(s.photoCrop.height * p.rows)));
      cv::resize(p(r & cv::Rect(0, 0, p.cols, p.rows)), bg, cv::Size(side, side), 0, 0, cv::INTER_AREA);
      break;
    }
  }
  return bg;
}

const char* backgroundWord(BackgroundKind k) {
  switch (k) {
    case BackgroundKind::Striped: return "striped";
    case BackgroundKind::Checkered: return "checkered";
    case BackgroundKind::Textured: return "textured";
    default: return "";
  }
}

}  // namespace

const std::vector<NamedColour>& namedColours() {
  static const std::vector<NamedColour> colours{
      {"red", {215, 40, 40}},     {"green", {40, 170, 60}},   {"blue", {40, 80, 215}},  {"yellow", {235, 210, 40}},
      {"orange", {240, 135, 30}}, {"purple", {135, 55, 185}}, {"pink", {240, 135, 190}}, {"white", {240, 240, 240}},
      {"black", {25, 25, 25}},    {"gray", {128, 128, 128}},  {"brown", {125, 80, 40}},  {"cyan", {40, 195, 210}}};
  return colours;
}

const NamedColour& namedColour(const std::string& name) {
  for (const auto& c : namedColours())
    if (name == c.name) return c;
  throw Error("unknown colour '" + name + "'");
}

const std::vector<std::string>& shapeKinds() {
  static const std::vector<std::string> kinds{"circle", "square", "triangle"};
  return kinds;
}

PhotoPool PhotoPool::load(const std::vector<std::string>& folders, const std::vector<std::string>& files) {
  namespace fs = std::filesystem;
  std::vector<std::string> paths;
  for (const auto& folder : folders) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) continue;
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
      auto ext = e.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") found.push_back(e.path().string());
    }
    std::sort(found.begin(), found.end());  // directory order is not stable
    paths.insert(paths.end(), found.begin(), found.end());
  }
  for (const auto& f : files)
    if (fs::exists(f)) paths.push_back(f);
  PhotoPool pool;
  for (const auto& path : paths) {
    cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    if (bgr.empty()) continue;
    const double scale = 384.0 / std::max(bgr.cols, bgr.rows);
    if (scale < 1.0) cv::resize(bgr, bgr, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    pool.photos_.push_back(rgb);
    pool.sources_.push_back(path);
  }
  return pool;
}

Scene randomScene(std::mt19937_64& rng, const PhotoPool& photos) {
  Scene s;
  // Solid backgrounds are the most common (they are what the demo edits start from), a photo one
  // scene in eight.
  const int bg = uniformInt(rng, 0, photos.empty() ? 6 : 7);
  s.background = bg == 7 ? BackgroundKind::Photo : static_cast<BackgroundKind>(std::max(0, bg - 3));
  s.colour1 = otherColour(rng, -1);
  s.colour2 = otherColour(rng, s.colour1);
  s.stripeAngle = s.background == BackgroundKind::Checkered ? uniform(rng, 0.12f, 0.3f)
                                                            : static_cast<float>(uniformInt(rng, 0, 3)) * 0.785398f;
  s.textureSeed = rng();
  if (s.background == BackgroundKind::Photo) {
    s.photo = uniformInt(rng, 0, static_cast<int>(photos.size()) - 1);
    const cv::Mat& p = photos.photo(s.photo);
    const float side = uniform(rng, 0.15f, 1.0f) * static_cast<float>(std::min(p.cols, p.rows));
    const float w = side / static_cast<float>(p.cols), h = side / static_cast<float>(p.rows);
    s.photoCrop = cv::Rect2f(uniform(rng, 0.0f, 1.0f - w), uniform(rng, 0.0f, 1.0f - h), w, h);
  }
  const int count = uniformInt(rng, 0, 9) < 2 ? 0 : (uniformInt(rng, 0, 9) < 7 ? 1 : 2);
  for (int i = 0; i < count; ++i) {
    SceneShape shape;
    shape.kind = shapeKinds()[static_cast<std::size_t>(uniformInt(rng, 0, 2))];
    // Shapes stand out from a plain background: never its colour.
    shape.colour = otherColour(rng, s.colour1, s.background == BackgroundKind::Solid ? -1 : s.colour2);
    shape.size = uniform(rng, count == 1 ? 0.14f : 0.11f, count == 1 ? 0.3f : 0.2f);
    for (int attempt = 0; attempt < 20; ++attempt) {
      shape.centre = {uniform(rng, shape.size, 1.0f - shape.size), uniform(rng, shape.size, 1.0f - shape.size)};
      bool clear = true;
      for (const auto& o : s.shapes) {
        const float d = std::hypot(o.centre.x - shape.centre.x, o.centre.y - shape.centre.y);
        if (d < (o.size + shape.size) * 1.05f) clear = false;
      }
      if (clear) break;
    }
    if (!s.shapes.empty() && s.shapes.front().kind == shape.kind && s.shapes.front().colour == shape.colour) continue;
    s.shapes.push_back(shape);
  }
  return s;
}

cv::Mat renderScene(const Scene& scene, int size, const PhotoPool& photos) {
  const int big = size * kSupersample;
  cv::Mat canvas = background(scene, big, photos);
  for (const auto& shape : scene.shapes) drawShape(canvas, shape, scalarOf(shape.colour));
  cv::Mat out;
  cv::resize(canvas, out, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat shapeMask(const SceneShape& shape, int size) {
  cv::Mat big(size * kSupersample, size * kSupersample, CV_8UC1, cv::Scalar(0));
  drawShape(big, shape, cv::Scalar(255));
  cv::Mat out;
  cv::resize(big, out, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  cv::threshold(out, out, 0, 255, cv::THRESH_BINARY);
  return out;
}

std::string backgroundCaption(const Scene& s) {
  const std::string c1 = namedColours()[static_cast<std::size_t>(s.colour1)].name;
  const std::string c2 = namedColours()[static_cast<std::size_t>(s.colour2)].name;
  switch (s.background) {
    case BackgroundKind::Solid: return "a " + c1 + " background";
    case BackgroundKind::Striped:
    case BackgroundKind::Checkered: return "a " + c1 + " and " + c2 + " " + backgroundWord(s.background) + " background";
    case BackgroundKind::Textured: return "a " + c1 + " textured background";
    case BackgroundKind::Photo: return "a photo";
  }
  return "a background";
}

std::string caption(const Scene& s, bool withBackground) {
  if (s.shapes.empty()) return backgroundCaption(s);
  std::string text;
  for (std::size_t i = 0; i < s.shapes.size(); ++i) {
    if (i > 0) text += " and ";
    text += std::string("a ") + namedColours()[static_cast<std::size_t>(s.shapes[i].colour)].name + " " + s.shapes[i].kind;
  }
  if (withBackground) text += " on " + backgroundCaption(s);
  return text;
}

InstructPair randomInstructPair(std::mt19937_64& rng, const PhotoPool& photos, int size) {
  Scene scene = randomScene(rng, photos);
  while (scene.shapes.empty()) scene = randomScene(rng, photos);
  InstructPair pair;
  pair.before = renderScene(scene, size, photos);
  Scene edited = scene;
  const int kind = uniformInt(rng, 0, 9);
  const auto which = static_cast<std::size_t>(uniformInt(rng, 0, static_cast<int>(scene.shapes.size()) - 1));
  auto& shape = edited.shapes[which];
  if (kind < 5) {  // recolour a shape
    shape.colour = otherColour(rng, shape.colour, scene.colour1);
    const std::string colour = namedColours()[static_cast<std::size_t>(shape.colour)].name;
    pair.instruction = chance(rng, 0.5) ? "make the " + shape.kind + " " + colour : "turn the " + shape.kind + " " + colour;
  } else if (kind < 7) {  // remove a shape
    pair.instruction = "remove the " + shape.kind;
    edited.shapes.erase(edited.shapes.begin() + static_cast<std::ptrdiff_t>(which));
  } else if (kind < 8 && scene.background != BackgroundKind::Photo) {  // recolour the background
    edited.colour1 = otherColour(rng, scene.colour1, scene.colour2);
    pair.instruction = std::string("make the background ") + namedColours()[static_cast<std::size_t>(edited.colour1)].name;
  } else {  // grayscale
    pair.instruction = "make it grayscale";
    cv::Mat gray;
    cv::cvtColor(pair.before, gray, cv::COLOR_RGB2GRAY);
    cv::cvtColor(gray, pair.after, cv::COLOR_GRAY2RGB);
    return pair;
  }
  pair.after = renderScene(edited, size, photos);
  return pair;
}

}  // namespace latentshop::training
