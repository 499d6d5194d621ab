#include "engine/training/demo_samples.h"

#include <filesystem>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/io/state_dict.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/models/clip_text_model.h"
#include "engine/models/clip_text_model_prompts.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/pipelines/latent_preview.h"
#include "engine/schedulers/ddim_scheduler.h"
#include "engine/tokenizer/clip_tokenizer.h"
#include "engine/training/demo_batches.h"
#include "engine/training/demo_trainer.h"
#include "engine/io/image_io.h"

namespace latentshop::training {

namespace fs = std::filesystem;

namespace {

StateDict loadPrefixed(const SafetensorsFile& file, const std::string& prefix) {
  StateDict out;
  const std::string p = prefix + ".";
  for (const auto& name : file.names())
    if (name.rfind(p, 0) == 0) out[name.substr(p.size())] = file.view(name);
  return out;
}

cv::Mat grid(const std::vector<cv::Mat>& rowA, const std::vector<cv::Mat>& rowB) {
  const int s = rowA.front().cols * 4;
  cv::Mat out(rowB.empty() ? s : 2 * s, static_cast<int>(rowA.size()) * s, CV_8UC3, cv::Scalar(0, 0, 0));
  auto put = [&](const cv::Mat& img, int row, int col) {
    cv::Mat big;
    cv::resize(img, big, cv::Size(s, s), 0, 0, cv::INTER_NEAREST);
    big.copyTo(out(cv::Rect(col * s, row * s, s, s)));
  };
  for (std::size_t i = 0; i < rowA.size(); ++i) put(rowA[i], 0, static_cast<int>(i));
  for (std::size_t i = 0; i < rowB.size(); ++i) put(rowB[i], 1, static_cast<int>(i));
  cv::Mat bgr;
  cv::cvtColor(out, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

std::vector<cv::Mat> toImages(const torch::Tensor& batch) {
  std::vector<cv::Mat> out;
  for (int64_t i = 0; i < batch.size(0); ++i) out.push_back(imageTensorToRgb(batch[i]));
  return out;
}

}  // namespace

std::string writeStageSamples(const DemoRecipe& recipe, const std::string& workDir, const std::string& stage,
                              const std::string& clipVocab, const std::vector<std::string>& photoFolders,
                              const std::vector<std::string>& photoFiles) {
  torch::NoGradGuard noGrad;
  if (stage != "vae" && stage != "base")
    throw Error("train samples: only the vae and base stages have samples (inpaint and instruct: run the pipelines)");
  const auto vaePath = stageCheckpointPath(workDir, "vae");
  if (!fs::exists(vaePath)) throw Error(vaePath + ": no checkpoint yet");
  AutoencoderKL vae(AutoencoderKLConfig::fromJson(recipe.vae, "demo vae config"));
  bindStateDict(*vae, loadPrefixed(SafetensorsFile(vaePath), "vae"), vaePath, "the VAE");
  const fs::path png = fs::path(workDir) / stage / "samples.png";
  const PhotoPool photos = PhotoPool::load(photoFolders, photoFiles);
  if (stage == "vae") {
    std::mt19937_64 rng(99);
    const auto x = vaeBatch(rng, photos, recipe.imageSize, 8);
    const auto rec = vae->decode(vae->encode(x).mean);
    writeBgrImage(png.string(), grid(toImages(x), toImages(rec)));
    return png.string();
  }
  const auto basePath = stageCheckpointPath(workDir, "base");
  if (!fs::exists(basePath)) throw Error(basePath + ": no checkpoint yet");
  SafetensorsFile base(basePath);
  const double scale = std::stod(base.metadata().at("scaling_factor"));
  ClipTextModel text(ClipTextConfig::fromJson(recipe.textEncoder, "demo text encoder config"));
  bindStateDict(*text, loadPrefixed(base, "text_encoder"), basePath, "the text encoder");
  UNet2DConditionModel unet(UNet2DConditionConfig::fromJson(demoUnetConfig(recipe, "plain"), "demo unet config"));
  bindStateDict(*unet, loadPrefixed(base, "unet"), basePath, "the UNet");
  const auto tokenizer = ClipTokenizer::fromPath(clipVocab);
  const std::vector<std::string> captions{"a red circle on a white background",
                                          "a green square on a blue background",
                                          "a yellow triangle on a black background",
                                          "a blue circle on a yellow and white striped background",
                                          "a white square on a purple background",
                                          "a green square",
                                          "an orange circle and a blue triangle on a gray background",
                                          "a photo"};
  const auto cond = encodePrompts(tokenizer, text, captions).embeddings;
  const auto uncond = encodePrompts(tokenizer, text, std::vector<std::string>(captions.size(), "")).embeddings;
  DDIMScheduler sched(DDIMSchedulerConfig::fromJson(recipe.scheduler, "demo scheduler"));
  sched.setTimesteps(25);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(123);
  const int64_t n = static_cast<int64_t>(captions.size()), h = recipe.imageSize / 4;
  auto latents = torch::randn({n, 4, h, h}, gen, torch::TensorOptions().dtype(torch::kFloat));
  for (int64_t i = 0; i < sched.timesteps().size(0); ++i) {
    const auto t = sched.timestepAt(i);
    const auto in = torch::cat({latents, latents});
    const auto eps = unet->forward(in, Timestep(t), torch::cat({uncond, cond})).sample.chunk(2);
    const auto guided = eps[0] + 5.0 * (eps[1] - eps[0]);
    latents = sched.step(guided, t, latents).prevSample;
  }
  const auto images = vae->decode(latents / scale);
  writeBgrImage(png.string(), grid(toImages(images), {}));
  return png.string();
}

}  // namespace latentshop::training
