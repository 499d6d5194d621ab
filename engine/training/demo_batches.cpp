#include "engine/training/demo_batches.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace latentshop::training {

namespace {

int uniformInt(std::mt19937_64& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
double uniform01(std::mt19937_64& rng) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

cv::Mat photoCrop(std::mt19937_64& rng, const PhotoPool& photos, int size) {
  Scene s;
  s.background = BackgroundKind::Photo;
  s.photo = uniformInt(rng, 0, static_cast<int>(photos.size()) - 1);
  const cv::Mat& p = photos.photo(s.photo);
  const double side = (0.1 + 0.9 * uniform01(rng)) * std::min(p.cols, p.rows);
  const float w = static_cast<float>(side / p.cols), h = static_cast<float>(side / p.rows);
  s.photoCrop = cv::Rect2f(static_cast<float>(uniform01(rng)) * (1.0f - w), static_cast<float>(uniform01(rng)) * (1.0f - h), w, h);
  return renderScene(s, size, photos);
}

torch::Tensor masksToTensor(const std::vector<cv::Mat>& masks) {
  std::vector<torch::Tensor> out;
  for (const auto& m : masks) {
    cv::Mat c = m.isContinuous() ? m : m.clone();
    out.push_back(torch::from_blob(c.data, {1, 1, c.rows, c.cols}, torch::kUInt8).to(torch::kFloat).div(255.0).round());
  }
  return torch::cat(out, 0);
}

std::string withDropout(std::mt19937_64& rng, std::string caption) { return uniform01(rng) < 0.1 ? std::string() : caption; }

}  // namespace

torch::Tensor imagesToTensor(const std::vector<cv::Mat>& images) {
  std::vector<torch::Tensor> out;
  for (const auto& img : images) {
    cv::Mat c = img.isContinuous() ? img : img.clone();
    out.push_back(torch::from_blob(c.data, {1, c.rows, c.cols, 3}, torch::kUInt8).permute({0, 3, 1, 2}).to(torch::kFloat));
  }
  return torch::cat(out, 0) / 127.5 - 1.0;
}

torch::Tensor vaeBatch(std::mt19937_64& rng, const PhotoPool& photos, int size, int batch) {
  std::vector<cv::Mat> images;
  for (int i = 0; i < batch; ++i) {
    if (!photos.empty() && uniformInt(rng, 0, 5) == 0) images.push_back(photoCrop(rng, photos, size));
    else images.push_back(renderScene(randomScene(rng, photos), size, photos));
  }
  return imagesToTensor(images);
}

CaptionedBatch captionedBatch(std::mt19937_64& rng, const PhotoPool& photos, int size, int batch) {
  CaptionedBatch b;
  std::vector<cv::Mat> images;
  for (int i = 0; i < batch; ++i) {
    const Scene s = randomScene(rng, photos);
    images.push_back(renderScene(s, size, photos));
    b.captions.push_back(withDropout(rng, caption(s, uniform01(rng) < 0.75)));
  }
  b.images = imagesToTensor(images);
  return b;
}

InpaintBatch inpaintBatch(std::mt19937_64& rng, const PhotoPool& photos, int size, int batch) {
  InpaintBatch b;
  std::vector<cv::Mat> images, masks;
  for (int i = 0; i < batch; ++i) {
    Scene s = randomScene(rng, photos);
    cv::Mat mask(size, size, CV_8UC1, cv::Scalar(0));
    const double kind = uniform01(rng);
    std::string text;
    if (!s.shapes.empty() && kind < 0.6) {
      const auto which = static_cast<std::size_t>(uniformInt(rng, 0, static_cast<int>(s.shapes.size()) - 1));
      const SceneShape shape = s.shapes[which];
      cv::Rect box = cv::boundingRect(shapeMask(shape, size));
      const int grow = uniformInt(rng, 1, 4);
      box = cv::Rect(box.x - grow, box.y - grow, box.width + 2 * grow, box.height + 2 * grow) & cv::Rect(0, 0, size, size);
      if (uniform01(rng) < 0.5) cv::rectangle(mask, box, cv::Scalar(255), cv::FILLED);
      else cv::ellipse(mask, cv::RotatedRect(cv::Point2f((box.tl() + box.br()) / 2), cv::Size2f(box.width * 1.2f, box.height * 1.2f), 0.0f), cv::Scalar(255), cv::FILLED);
      const double c = uniform01(rng);
      if (c < 0.25) {
        // Removal: the hole shows what is behind the shape; the caption names what is left.
        s.shapes.erase(s.shapes.begin() + static_cast<std::ptrdiff_t>(which));
        text = caption(s, true);
      } else if (c < 0.75) {
        Scene only = s;
        only.shapes = {shape};
        text = caption(only, false);  // "a green square": what to paint in the hole
      } else {
        text = caption(s, true);
      }
    } else if (kind < 0.93) {
      const int w = uniformInt(rng, size / 6, size * 3 / 4), h = uniformInt(rng, size / 6, size * 3 / 4);
      const cv::Rect r(uniformInt(rng, 0, size - w), uniformInt(rng, 0, size - h), w, h);
      if (uniform01(rng) < 0.5) cv::rectangle(mask, r, cv::Scalar(255), cv::FILLED);
      else cv::ellipse(mask, cv::RotatedRect(cv::Point2f((r.tl() + r.br()) / 2), cv::Size2f(r.size()), 0.0f), cv::Scalar(255), cv::FILLED);
      text = caption(s, uniform01(rng) < 0.8);
    } else {
      mask.setTo(255);
      text = caption(s, true);
    }
    images.push_back(renderScene(s, size, photos));
    masks.push_back(mask);
    b.captions.push_back(withDropout(rng, text));
  }
  b.images = imagesToTensor(images);
  b.masks = masksToTensor(masks);
  return b;
}

InstructBatch instructBatch(std::mt19937_64& rng, const PhotoPool& photos, int size, int batch) {
  InstructBatch b;
  std::vector<cv::Mat> before, after;
  for (int i = 0; i < batch; ++i) {
    auto pair = randomInstructPair(rng, photos, size);
    before.push_back(pair.before);
    after.push_back(pair.after);
    b.instructions.push_back(pair.instruction);
  }
  b.before = imagesToTensor(before);
  b.after = imagesToTensor(after);
  return b;
}

}  // namespace latentshop::training
