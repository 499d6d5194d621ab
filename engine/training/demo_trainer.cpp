#include "engine/training/demo_trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/io/state_dict.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/models/clip_text_model.h"
#include "engine/models/clip_text_model_prompts.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/schedulers/ddim_scheduler.h"
#include "engine/tokenizer/clip_tokenizer.h"
#include "engine/training/adamw.h"
#include "engine/training/demo_batches.h"
#include "engine/training/loss_curve.h"
#include "engine/training/parameter_init.h"

namespace latentshop::training {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
using Tensors = std::map<std::string, torch::Tensor>;

struct Checkpoint {
  Tensors tensors;
  std::map<std::string, std::string> metadata;
  std::int64_t step() const { return std::stoll(metadata.at("step")); }
  std::int64_t target() const { return std::stoll(metadata.at("steps")); }
};

Checkpoint readCheckpoint(const std::string& path) {
  if (!fs::exists(path)) throw Error(path + ": no such checkpoint");
  SafetensorsFile file(path);
  Checkpoint c;
  for (const auto& name : file.names()) c.tensors[name] = file.view(name).clone();
  c.metadata = file.metadata();
  for (const char* key : {"step", "steps", "seed", "batch"})
    if (!c.metadata.count(key)) throw Error(path + ": not a Latentshop training checkpoint (no '" + std::string(key) + "')");
  return c;
}

// Parameters of `module` named "<prefix>.<key>".
Tensors prefixed(torch::nn::Module& module, const std::string& prefix) {
  Tensors out;
  for (auto& item : module.named_parameters(true)) out[prefix + "." + item.key()] = item.value();
  return out;
}

// The tensors under "<prefix>." without the prefix (weights only, no optimiser moments).
StateDict stripped(const Tensors& tensors, const std::string& prefix, const std::vector<std::string>& skip = {}) {
  StateDict out;
  const std::string p = prefix + ".";
  for (const auto& [name, t] : tensors) {
    if (name.rfind(p, 0) != 0) continue;
    const std::string key = name.substr(p.size());
    if (std::find(skip.begin(), skip.end(), key) == skip.end()) out[key] = t;
  }
  return out;
}

void freeze(torch::nn::Module& m) {
  for (auto& p : m.parameters(true)) p.set_requires_grad(false);
}

Checkpoint finishedStage(const std::string& workDir, const std::string& stage, const std::string& needer) {
  const auto path = stageCheckpointPath(workDir, stage);
  if (!fs::exists(path))
    throw Error("training stage '" + needer + "' needs the finished '" + stage + "' stage: " + path +
                " does not exist (run `latentshop-cli train " + stage + "` first)");
  auto c = readCheckpoint(path);
  if (c.step() < c.target())
    throw Error("training stage '" + needer + "' needs the finished '" + stage + "' stage: " + path + " is at step " +
                std::to_string(c.step()) + " of " + std::to_string(c.target()) + " (run `latentshop-cli train " + stage +
                "` to finish it)");
  return c;
}

double learningRate(const StageRecipe& s, std::int64_t step, std::int64_t total) {
  if (step < s.warmup) return s.lr * static_cast<double>(step + 1) / static_cast<double>(s.warmup);
  const double span = std::max<double>(1.0, static_cast<double>(total - s.warmup));
  const double progress = std::min(1.0, static_cast<double>(step - s.warmup) / span);
  return s.lr * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * progress)));
}

std::uint64_t stepSeed(std::uint64_t seed, const std::string& stage, std::int64_t step) {
  std::uint64_t h = seed * 0x9E3779B97F4A7C15ULL;
  for (char c : stage) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  return h ^ (static_cast<std::uint64_t>(step) * 0xBF58476D1CE4E5B9ULL);
}

torch::Tensor sampleLatents(AutoencoderKLImpl& vae, const torch::Tensor& images, double scale, at::Generator& gen) {
  const auto post = vae.encode(images);
  return (post.mean + post.std * torch::randn(post.mean.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat))) * scale;
}

// 1 / std of the trained VAE's latents over 256 seeded scenes (how SD's 0.18215 was chosen).
double latentScalingFactor(AutoencoderKLImpl& vae, const PhotoPool& photos, int size) {
  torch::NoGradGuard noGrad;
  std::mt19937_64 rng(20240601);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(20240602);
  std::vector<torch::Tensor> all;
  for (int i = 0; i < 8; ++i) all.push_back(sampleLatents(vae, vaeBatch(rng, photos, size, 32), 1.0, gen));
  return 1.0 / torch::cat(all).std().item<double>();
}

torch::Tensor embed(const ClipTokenizer& tokenizer, ClipTextModelImpl& text, const std::vector<std::string>& captions) {
  return text.forward(tokenIdsTensor(tokenizer.encode(captions))).lastHiddenState;
}

}  // namespace

std::string stageCheckpointPath(const std::string& workDir, const std::string& stage) {
  return (fs::path(workDir) / stage / "checkpoint.safetensors").string();
}

bool stageFinished(const std::string& workDir, const std::string& stage) {
  const auto path = stageCheckpointPath(workDir, stage);
  if (!fs::exists(path)) return false;
  const auto c = readCheckpoint(path);
  return c.step() >= c.target();
}

TrainStageResult trainDemoStage(const DemoRecipe& recipe, const TrainOptions& o, const TrainProgressFn& progress) {
  const StageRecipe& s = recipe.stage(o.stage);
  const std::int64_t total = o.steps >= 0 ? o.steps : s.steps;
  const std::int64_t batch = o.batch > 0 ? o.batch : s.batch;
  const int size = recipe.imageSize;
  if (o.workDir.empty()) throw Error("training needs a work folder");
  const fs::path dir = fs::path(o.workDir) / o.stage;
  fs::create_directories(dir);
  const PhotoPool photos = PhotoPool::load(o.photoFolders, o.photoFiles);
  const auto schedule = DDIMScheduler(DDIMSchedulerConfig::fromJson(recipe.scheduler, "demo scheduler"));
  const auto cpu = torch::TensorOptions().dtype(torch::kFloat);

  AutoencoderKL vae(AutoencoderKLConfig::fromJson(recipe.vae, "demo vae config"));
  ClipTextModel text{nullptr};
  UNet2DConditionModel unet{nullptr};
  std::shared_ptr<ClipTokenizer> tokenizer;
  double scale = 1.0;
  Tensors trained;
  std::map<std::string, std::string> extraMeta;

  const std::uint64_t initSeed = stepSeed(o.seed, o.stage, -1);
  if (o.stage == "vae") {
    initialiseParameters(*vae, initSeed);
    trained = prefixed(*vae, "vae");
  } else {
    if (o.clipVocab.empty()) throw Error("training '" + o.stage + "' needs the CLIP vocabulary (--clip-vocab)");
    tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromPath(o.clipVocab));
    const auto vaeCkpt = finishedStage(o.workDir, "vae", o.stage);
    bindStateDict(*vae, stripped(vaeCkpt.tensors, "vae"), stageCheckpointPath(o.workDir, "vae"), "the VAE");
    freeze(*vae);
    text = ClipTextModel(ClipTextConfig::fromJson(recipe.textEncoder, "demo text encoder config"));
    const std::string kind = o.stage == "inpaint" ? "inpainting" : (o.stage == "instruct" ? "instruct" : "plain");
    unet = UNet2DConditionModel(UNet2DConditionConfig::fromJson(demoUnetConfig(recipe, kind), "demo unet config"));
    initialiseParameters(*unet, initSeed);
    if (o.stage == "base") {
      initialiseParameters(*text, initSeed + 1);
      scale = latentScalingFactor(*vae, photos, size);
      trained = prefixed(*unet, "unet");
      for (auto& [k, v] : prefixed(*text, "text_encoder")) trained[k] = v;
    } else {
      const auto base = finishedStage(o.workDir, "base", o.stage);
      scale = std::stod(base.metadata.at("scaling_factor"));
      bindStateDict(*text, stripped(base.tensors, "text_encoder"), stageCheckpointPath(o.workDir, "base"), "the text encoder");
      freeze(*text);
      // The base UNet with zero weights for the new input channels (mask + masked image, or image).
      auto baseUnet = stripped(base.tensors, "unet");
      const auto baseConvIn = baseUnet.at("conv_in.weight");
      baseUnet.erase("conv_in.weight");
      BindOptions bind;
      bind.allowMissingSuffixes = {"conv_in.weight"};
      bindStateDict(*unet, baseUnet, stageCheckpointPath(o.workDir, "base"), "the base UNet", bind);
      torch::NoGradGuard noGrad;
      unet->conv_in->weight.zero_();
      unet->conv_in->weight.narrow(1, 0, 4).copy_(baseConvIn);
      for (auto& p : unet->parameters(true)) p.set_requires_grad(true);
      trained = prefixed(*unet, "unet");
    }
    extraMeta["scaling_factor"] = std::to_string(scale);
  }

  AdamWOptions adam;
  adam.lr = s.lr;
  AdamW optimizer(trained, adam);
  const std::string ckptPath = stageCheckpointPath(o.workDir, o.stage);
  const std::string logPath = (dir / "losses.csv").string();
  const std::string pngPath = (dir / "loss.png").string();
  std::int64_t start = 0;
  if (o.resume && fs::exists(ckptPath)) {
    const auto c = readCheckpoint(ckptPath);
    if (std::stoull(c.metadata.at("seed")) != o.seed || std::stoll(c.metadata.at("batch")) != batch)
      throw Error(ckptPath + ": the checkpoint was made with seed " + c.metadata.at("seed") + " and batch " +
                  c.metadata.at("batch") + "; use the same, or start over (--restart)");
    if (c.step() > total)
      throw Error(ckptPath + ": the checkpoint is at step " + std::to_string(c.step()) + ", past the " +
                  std::to_string(total) + " steps asked for");
    optimizer.loadState(c.tensors, c.step(), ckptPath);
    start = c.step();
  }
  std::vector<LossRow> rows = readLossLog(logPath, start);
  rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const LossRow& r) { return r.step > start; }), rows.end());

  auto save = [&](std::int64_t step) {
    auto meta = extraMeta;
    meta["stage"] = o.stage;
    meta["step"] = std::to_string(step);
    meta["steps"] = std::to_string(total);
    meta["seed"] = std::to_string(o.seed);
    meta["batch"] = std::to_string(batch);
    // The log and curve first, the checkpoint last: a kill between them leaves a log that runs
    // ahead of the checkpoint (a resumed run drops those rows) rather than one that lacks the rows
    // of steps the checkpoint already holds.
    writeLossLog(logPath, rows);
    writeLossCurvePng(pngPath, rows, "demo " + o.stage + ": training loss (batch " + std::to_string(batch) + ")");
    writeSafetensors(ckptPath, optimizer.stateTensors(), meta);
  };

  const auto began = Clock::now();
  TrainStageResult result;
  result.total = total;
  result.resumedFrom = start;
  std::int64_t step = start;
  bool stop = false;
  const bool profile = std::getenv("LATENTSHOP_TRAIN_PROFILE") != nullptr;
  if (text) text->train(o.stage == "base");
  while (step < total && !stop) {
    std::mt19937_64 rng(stepSeed(o.seed, o.stage, step));
    auto gen = at::make_generator<at::CPUGeneratorImpl>(stepSeed(o.seed, o.stage, step) + 1);
    const double lr = learningRate(s, step, total);
    const auto tStep = Clock::now();
    optimizer.zeroGrad();
    torch::Tensor loss;
    if (o.stage == "vae") {
      const auto x = vaeBatch(rng, photos, size, static_cast<int>(batch));
      const auto post = vae->encode(x);
      const auto z = post.mean + post.std * torch::randn(post.mean.sizes(), gen, cpu);
      const auto rec = vae->decode(z);
      const auto kl = 0.5 * (post.mean.square() + post.std.square() - 1.0 - post.logvar).mean();
      loss = (rec - x).square().mean() + 0.5 * (rec - x).abs().mean() + 1e-4 * kl;
    } else {
      torch::Tensor latents, extra, context;
      std::vector<std::string> captions;
      {
        torch::NoGradGuard noGrad;
        if (o.stage == "base") {
          auto b = captionedBatch(rng, photos, size, static_cast<int>(batch));
          latents = sampleLatents(*vae, b.images, scale, gen);
          captions = std::move(b.captions);
        } else if (o.stage == "inpaint") {
          auto b = inpaintBatch(rng, photos, size, static_cast<int>(batch));
          latents = sampleLatents(*vae, b.images, scale, gen);
          const auto masked = sampleLatents(*vae, b.images * (b.masks < 0.5), scale, gen);
          const auto maskLatent = torch::nn::functional::interpolate(
              b.masks, torch::nn::functional::InterpolateFuncOptions()
                           .size(std::vector<int64_t>{latents.size(2), latents.size(3)})
                           .mode(torch::kNearest));
          extra = torch::cat({maskLatent, masked}, 1);
          captions = std::move(b.captions);
        } else {
          auto b = instructBatch(rng, photos, size, static_cast<int>(batch));
          latents = sampleLatents(*vae, b.after, scale, gen);
          extra = vae->encode(b.before).mean;  // InstructPix2Pix conditions on the unscaled mode
          // Conditioning dropout (train_instruct_pix2pix.py, p = 0.05): text, both, image.
          const auto r = torch::rand({batch}, gen, cpu);
          const auto keepImage = ((r < 0.05) | (r >= 0.15)).to(torch::kFloat).view({batch, 1, 1, 1});
          extra = extra * keepImage;
          for (std::int64_t i = 0; i < batch; ++i)
            captions.push_back(r[i].item<float>() < 0.10f ? std::string() : b.instructions[static_cast<std::size_t>(i)]);
        }
        if (o.stage != "base") context = embed(*tokenizer, *text, captions);
        if (profile)
          std::fprintf(stderr, "[profile]   data + VAE %.3f s\n", std::chrono::duration<double>(Clock::now() - tStep).count());
      }
      if (o.stage == "base") context = embed(*tokenizer, *text, captions);
      const auto noise = torch::randn(latents.sizes(), gen, cpu);
      const auto t = torch::randint(0, 1000, {batch}, gen, torch::TensorOptions().dtype(torch::kLong));
      auto input = schedule.addNoise(latents, noise, t);
      if (extra.defined()) input = torch::cat({input, extra}, 1);
      const auto pred = unet->forward(input, Timestep(t), context).sample;
      loss = (pred - noise).square().mean();
    }
    const auto tForward = Clock::now();
    loss.backward();
    const auto tBackward = Clock::now();
    optimizer.step(lr);
    if (profile)
      std::fprintf(stderr, "[profile] step %ld: data+forward %.3f s, backward %.3f s, optimiser %.3f s\n", step,
                   std::chrono::duration<double>(tForward - tStep).count(),
                   std::chrono::duration<double>(tBackward - tForward).count(),
                   std::chrono::duration<double>(Clock::now() - tBackward).count());
    ++step;
    const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
    rows.push_back({step, loss.item<double>(), lr, seconds});
    TrainProgress p{o.stage, step, total, rows.back().loss, lr, seconds / static_cast<double>(step - start), start};
    if (progress && !progress(p)) stop = true;
    if (step % std::max<std::int64_t>(1, o.checkpointEvery) == 0 || step == total || stop) save(step);
  }
  if (step == start) save(step);  // nothing to do: still leave the curve and log

  result.steps = step;
  result.finished = step >= total;
  result.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  double sum = 0.0;
  std::size_t n = 0;
  for (std::size_t i = rows.size() > 50 ? rows.size() - 50 : 0; i < rows.size(); ++i, ++n) sum += rows[i].loss;
  result.meanLoss = n ? sum / static_cast<double>(n) : 0.0;
  result.checkpoint = ckptPath;
  result.lossLog = logPath;
  result.lossCurve = pngPath;
  return result;
}

}  // namespace latentshop::training
