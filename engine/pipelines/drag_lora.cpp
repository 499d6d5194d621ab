#include "engine/pipelines/drag_lora.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/models/unet_lora.h"

namespace latentshop {

cv::Mat resizeShortSide(const cv::Mat& image, int64_t trainSize) {
  if (image.empty() || image.type() != CV_8UC3) throw Error("drag LoRA: the image must be 8-bit RGB");
  if (trainSize <= 0) throw Error("drag LoRA: the training size must be positive");
  const int shortSide = std::min(image.cols, image.rows);
  if (shortSide == trainSize) return image.clone();
  const double s = static_cast<double>(trainSize) / shortSide;
  // torchvision Resize(int): the short side becomes trainSize, the long side int(size * long / short).
  const int w = image.cols <= image.rows ? static_cast<int>(trainSize)
                                         : static_cast<int>(static_cast<double>(trainSize) * image.cols / image.rows);
  const int h = image.rows < image.cols ? static_cast<int>(trainSize)
                                        : static_cast<int>(static_cast<double>(trainSize) * image.rows / image.cols);
  cv::Mat out;
  cv::resize(image, out, cv::Size(std::max(w, 1), std::max(h, 1)), 0, 0, s < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

torch::Tensor rgbToUnitTensor(const cv::Mat& image) {
  if (image.empty() || image.type() != CV_8UC3) throw Error("drag: the image must be 8-bit RGB");
  cv::Mat contiguous = image.isContinuous() ? image : image.clone();
  auto t = torch::from_blob(contiguous.data, {contiguous.rows, contiguous.cols, 3}, torch::kUInt8)
               .permute({2, 0, 1})
               .unsqueeze(0)
               .to(torch::kFloat);
  return t / 127.5 - 1.0;
}

DragLoraTraining trainDragLora(UNet2DConditionModelImpl& unet, AutoencoderKLImpl& vae, const DDIMScheduler& noiseSchedule,
                               const torch::Tensor& textEmbedding, const cv::Mat& image, const DragLoraOptions& o,
                               const DragLoraProgress& progress, const DragLoraPoll& poll) {
  if (o.steps < 0) throw Error("drag LoRA: the number of steps must not be negative");
  if (o.batchSize < 1) throw Error("drag LoRA: the batch size must be at least 1");
  if (o.rank < 1) throw Error("drag LoRA: the rank must be at least 1");
  if (!(o.lr > 0.0)) throw Error("drag LoRA: the learning rate must be positive");
  const auto resized = resizeShortSide(image, o.trainSize);
  const int64_t size = o.trainSize;
  const auto device = unet.device();
  const auto& predictionType = noiseSchedule.ddimConfig().predictionType;
  if (predictionType != "epsilon" && predictionType != "v_prediction")
    throw Error("drag LoRA: prediction type '" + predictionType + "' is not supported (epsilon or v_prediction)");

  UNetLoraOptions loraOptions;
  loraOptions.rank = o.rank;
  loraOptions.dtype = torch::kFloat;
  loraOptions.requiresGrad = true;
  loraOptions.seed = o.seed;
  addUNetLora(unet, loraOptions);
  const auto parameters = unetLoraParameters(unet);
  torch::optim::AdamW optimizer(parameters,
                                torch::optim::AdamWOptions(o.lr).betas({0.9, 0.999}).weight_decay(1e-2).eps(1e-8));

  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 1);
  const auto cpuFloat = torch::TensorOptions().dtype(torch::kFloat);
  // Posterior (mean, std) per crop offset: the VAE is frozen, so equal crops encode equally.
  std::map<std::pair<int64_t, int64_t>, std::pair<torch::Tensor, torch::Tensor>> posteriors;
  auto posteriorAt = [&](int64_t top, int64_t left) {
    const auto key = std::make_pair(top, left);
    auto it = posteriors.find(key);
    if (it != posteriors.end()) return it->second;
    torch::NoGradGuard noGrad;
    const cv::Mat crop = resized(cv::Rect(static_cast<int>(left), static_cast<int>(top), static_cast<int>(size),
                                          static_cast<int>(size)));
    auto posterior = vae.encode(rgbToUnitTensor(crop).to(vae.device(), vae.dtype()));
    auto value = std::make_pair(posterior.mean.to(torch::kCPU, torch::kFloat), posterior.std.to(torch::kCPU, torch::kFloat));
    posteriors.emplace(key, value);
    return value;
  };
  const torch::Tensor alphasCumprod = noiseSchedule.alphasCumprod();
  const int64_t numTrain = alphasCumprod.size(0);
  const auto emb = textEmbedding.detach();

  DragLoraTraining result;
  for (int64_t step = 0; step < o.steps; ++step) {
    std::vector<torch::Tensor> latentList;
    for (int64_t b = 0; b < o.batchSize; ++b) {
      const int64_t top = torch::randint(0, resized.rows - size + 1, {1}, gen, torch::kLong).item<int64_t>();
      const int64_t left = torch::randint(0, resized.cols - size + 1, {1}, gen, torch::kLong).item<int64_t>();
      const auto [mean, stdev] = posteriorAt(top, left);
      const auto sample = mean + stdev * torch::randn(mean.sizes(), gen, cpuFloat);
      latentList.push_back(vae.scaleLatents(sample));
    }
    const auto latents = torch::cat(latentList, 0);
    const auto noise = torch::randn(latents.sizes(), gen, cpuFloat);
    const auto timesteps = torch::randint(0, numTrain, {o.batchSize}, gen, torch::kLong);
    const auto noisy = noiseSchedule.addNoise(latents, noise, timesteps);
    const auto target = predictionType == "epsilon" ? noise : noiseSchedule.velocity(latents, noise, timesteps);
    const double count = static_cast<double>(target.numel());

    optimizer.zero_grad();
    double lossSum = 0.0;
    const int64_t micro = std::max<int64_t>(1, o.microBatch);
    for (int64_t start = 0; start < o.batchSize; start += micro) {
      if (poll) poll();
      const int64_t n = std::min(micro, o.batchSize - start);
      const auto in = noisy.narrow(0, start, n).to(device);
      const auto context = emb.expand({n, emb.size(1), emb.size(2)});
      const auto pred = unet.forward(in, Timestep(timesteps.narrow(0, start, n).to(device)), context).sample;
      const auto diff = pred.to(torch::kFloat) - target.narrow(0, start, n).to(device, torch::kFloat);
      const auto part = diff.square().sum() / count;
      part.backward();
      lossSum += part.item<double>();
    }
    optimizer.step();
    ++result.stepsRun;
    result.losses.push_back(lossSum);
    if (progress && !progress(step + 1, o.steps, lossSum)) break;
  }

  torch::NoGradGuard noGrad;
  for (auto& p : parameters) {
    p.mutable_grad() = torch::Tensor();
    p.requires_grad_(false);
  }
  for (const auto& [key, t] : unetLoraStateDict(unet)) result.weights.emplace(key, t.detach().to(torch::kCPU, torch::kFloat).clone());
  return result;
}

}  // namespace latentshop
