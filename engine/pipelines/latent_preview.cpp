#include "engine/pipelines/latent_preview.h"

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/models/taesd_loader.h"

namespace latentshop {

// ComfyUI comfy/latent_formats.py, class SD15: rows = latent channels, columns = R, G, B.
const std::array<std::array<float, 3>, 4> kSd15LatentRgbFactors{{
    {0.3512f, 0.2297f, 0.3227f},
    {0.3250f, 0.4974f, 0.2350f},
    {-0.2829f, 0.1762f, 0.2721f},
    {-0.2120f, -0.2616f, -0.7177f},
}};
const std::array<float, 3> kSd15LatentRgbBias{0.0f, 0.0f, 0.0f};

namespace {

torch::Tensor firstItem(const torch::Tensor& t, int64_t channels, const char* what) {
  if (t.dim() == 4 && t.size(0) >= 1 && t.size(1) == channels) return t[0];
  if (t.dim() == 3 && t.size(0) == channels) return t;
  throw Error(std::string(what) + ": expected [" + std::to_string(channels) + ", h, w] or [B, " +
              std::to_string(channels) + ", h, w], got " + c10::str(t.sizes()));
}

// [h, w, 3] uint8 CPU tensor -> CV_8UC3 (a copy), resized to `size` when given.
cv::Mat toMat(const torch::Tensor& hwc, cv::Size size) {
  const auto t = hwc.contiguous();
  cv::Mat view(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC3, t.data_ptr<uint8_t>());
  if (size.width <= 0 || size.height <= 0 || size == view.size()) return view.clone();
  cv::Mat out;
  cv::resize(view, out, size, 0, 0, cv::INTER_LINEAR);
  return out;
}

}  // namespace

cv::Mat latentToRgbPreview(const torch::Tensor& latents, cv::Size size) {
  torch::NoGradGuard noGrad;
  const auto x = firstItem(latents, 4, "latentToRgbPreview").detach().to(torch::kFloat32);
  const auto factors = torch::from_blob(const_cast<float*>(kSd15LatentRgbFactors[0].data()), {4, 3}, torch::kFloat32)
                           .to(x.device());
  const auto bias = torch::from_blob(const_cast<float*>(kSd15LatentRgbBias.data()), {3}, torch::kFloat32).to(x.device());
  // [h, w, 4] @ [4, 3] + bias (ComfyUI: F.linear(x0.movedim(0, -1), factors^T, bias))
  auto rgb = torch::matmul(x.permute({1, 2, 0}), factors) + bias;
  rgb = rgb.clamp(-1.0, 1.0).add(1.0).mul(127.5).round().to(torch::kUInt8).cpu();
  return toMat(rgb, size);
}

cv::Mat imageTensorToRgb(const torch::Tensor& image, cv::Size size) {
  torch::NoGradGuard noGrad;
  const auto x = firstItem(image, 3, "imageTensorToRgb").detach().to(torch::kFloat32);
  const auto rgb = ((x + 1) / 2).clamp(0.0, 1.0).mul(255).round().to(torch::kUInt8).permute({1, 2, 0}).cpu();
  return toMat(rgb, size);
}

TaesdPreviewDecoder::TaesdPreviewDecoder(AutoencoderTiny model) : model_(std::move(model)) {
  if (model_.is_empty()) throw Error("TaesdPreviewDecoder: no model");
  model_->eval();
  // On the CPU, oneDNN convolutions run about twice as fast on channels-last tensors.
  torch::NoGradGuard noGrad;
  for (auto& p : model_->parameters()) {
    if (p.dim() == 4 && p.device().is_cpu()) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  }
}

cv::Mat TaesdPreviewDecoder::decode(const torch::Tensor& latents, cv::Size size) {
  torch::NoGradGuard noGrad;
  const auto first = firstItem(latents, model_->config().latentChannels, "TAESD preview").unsqueeze(0);
  const auto params = model_->parameters();
  auto input = first.detach().to(params.front().device(), params.front().scalar_type());
  if (input.device().is_cpu()) input = input.contiguous(at::MemoryFormat::ChannelsLast);
  const auto image = model_->decode(input);
  return imageTensorToRgb(image, size);
}

std::unique_ptr<PreviewDecoder> makePreviewDecoder(const std::string& taesdPath, torch::Device device) {
  if (taesdPath.empty()) return std::make_unique<LinearPreviewDecoder>();
  TaesdLoadOptions options;
  options.device = device;
  options.dtype = device.is_cuda() ? torch::kFloat16 : torch::kFloat32;
  return std::make_unique<TaesdPreviewDecoder>(loadTaesd(taesdPath, options));
}

cv::Mat VaePreviewDecoder::decode(const torch::Tensor& latents, cv::Size size) {
  torch::NoGradGuard noGrad;
  auto x = latents.dim() == 3 ? latents.unsqueeze(0) : latents.narrow(0, 0, 1);
  x = vae_->unscaleLatents(x.to(vae_->device(), vae_->dtype()));
  return imageTensorToRgb(vae_->decode(x).to(torch::kFloat), size);
}

bool vaeCheapEnoughToPreview(const AutoencoderKLImpl& vae) {
  std::int64_t n = 0;
  for (const auto& p : vae.parameters()) n += p.numel();
  return n <= 4'000'000;
}

}  // namespace latentshop
