// `latentshop-cli tensors run drag --model FOLDER --case CASE.config.json --inputs CASE.io.safetensors
// --out OUT.safetensors`: every stage of DragDiffusion on the golden conventions of
// ../shared/golden/README.md (drag_tiny): parameters from the case's "params", the image latent
// `in.x0` (stands in for image2latent), prompt embeddings `in.prompt_embeds`, clicks `in.points_xy`
// (handle, target, handle, target, ... as (x, y) in a full_image_hw image), the editable mask
// `in.mask_u8`, and for the extra checks `in.tracking.perturbed.latent` and `in.masactrl.latents`.
// FOLDER is a diffusers folder with unet/, vae/ and scheduler/ (no text encoder needed).
// Writes out.inversion.*, out.t, out.scheduler_timesteps_<n>, out.features.*, out.tracking.<case>.*
// (cases from the config's point_tracking_cases), out.drag.*, out.denoise.*, out.masactrl.noise_pred
// and the derived.* tensors the golden file describes.
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "app/cli/tensor_runners.h"
#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/pipelines/drag_ddim.h"
#include "engine/pipelines/drag_features.h"
#include "engine/pipelines/drag_geometry.h"
#include "engine/pipelines/drag_mutual_attention.h"
#include "engine/pipelines/drag_tracking.h"
#include "engine/pipelines/drag_update.h"

namespace latentshop::cli {

namespace {

namespace F = torch::nn::functional;
using Outputs = std::vector<std::pair<std::string, torch::Tensor>>;

torch::Tensor input(const SafetensorsFile& file, const std::string& name) {
  if (!file.contains(name)) throw fileError(file.path(), "missing input tensor '" + name + "'");
  return file.load(name, file.entry(name).dtype);
}

// Stacks per-step tensors; an empty list gives [0, ...like] so the output always exists.
torch::Tensor stackOr(const std::vector<torch::Tensor>& list, std::vector<int64_t> itemShape) {
  if (list.empty()) {
    itemShape.insert(itemShape.begin(), 0);
    return torch::zeros(itemShape);
  }
  return torch::stack(list);
}

torch::Tensor pointsTensor(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array()) throw Error("tensors run drag: " + what + " is not a list of [row, col]");
  auto t = torch::empty({static_cast<int64_t>(j.size()), 2});
  for (std::size_t i = 0; i < j.size(); ++i) {
    t[static_cast<int64_t>(i)][0] = j.at(i).at(0).get<float>();
    t[static_cast<int64_t>(i)][1] = j.at(i).at(1).get<float>();
  }
  return t;
}

// F1 of a point-tracking case: "torch.roll(out.features.F0, shifts=(a, b), dims=(2, 3))" or the
// features of the perturbed latent.
torch::Tensor trackingF1(const std::string& description, const torch::Tensor& F0, const torch::Tensor& perturbedF) {
  static const std::regex roll(R"(torch\.roll\(\s*out\.features\.F0\s*,\s*shifts\s*=\s*\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)\s*,\s*dims\s*=\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*\))");
  std::smatch m;
  if (std::regex_search(description, m, roll))
    return torch::roll(F0, {std::stoll(m[1]), std::stoll(m[2])}, {std::stoll(m[3]), std::stoll(m[4])});
  if (description.find("forward_unet_features") != std::string::npos) {
    if (!perturbedF.defined()) throw Error("tensors run drag: '" + description + "' needs in.tracking.perturbed.latent");
    return perturbedF;
  }
  throw Error("tensors run drag: unknown point-tracking F1 '" + description + "'");
}

void runDrag(const TensorRunOptions& o) {
  if (o.model.empty()) throw Error("tensors run drag: --model FOLDER is required (unet/, vae/, scheduler/)");
  if (o.caseConfig.empty()) throw Error("tensors run drag: --case CASE.config.json is required");
  nlohmann::json cfg;
  {
    std::ifstream f(o.caseConfig);
    if (!f) throw fileError(o.caseConfig, "cannot be read");
    try {
      cfg = nlohmann::json::parse(f);
    } catch (const std::exception& e) {
      throw fileError(o.caseConfig, std::string("is not valid JSON (") + e.what() + ")");
    }
  }
  if (!cfg.contains("params")) throw fileError(o.caseConfig, "has no \"params\"");
  const auto& P = cfg.at("params");
  auto param = [&](const char* key) -> const nlohmann::json& {
    if (!P.contains(key)) throw fileError(o.caseConfig, std::string("params has no \"") + key + "\"");
    return P.at(key);
  };
  if (P.value("guidance_scale", 1.0) != 1.0)
    throw fileError(o.caseConfig, "guidance_scale other than 1 is not supported (run_drag uses 1)");
  const int64_t n = param("n_inference_step").get<int64_t>();
  const int64_t nActual = P.contains("n_actual_inference_step") ? P.at("n_actual_inference_step").get<int64_t>()
                                                                : dragActualSteps(param("inversion_strength").get<double>(), n);
  const auto fullHw = param("full_image_hw").get<std::vector<int64_t>>();
  const cv::Size full(static_cast<int>(fullHw.at(1)), static_cast<int>(fullHw.at(0)));
  const cv::Size grid = dragSupervisionSize(full);
  DragUpdateOptions update;
  update.steps = param("n_pix_step").get<int64_t>();
  update.lr = param("lr").get<double>();
  update.rM = param("r_m").get<int64_t>();
  update.rP = param("r_p").get<int64_t>();
  update.lam = param("lam").get<double>();
  update.featureIdx = param("unet_feature_idx").get<std::vector<int64_t>>();
  update.supH = grid.height;
  update.supW = grid.width;
  update.record = true;

  ModelLoadOptions lo;
  lo.device = parseDevice(o.device);
  lo.dtype = parseDtype(o.dtype);
  lo.tokenizer = false;
  lo.textEncoder = false;
  auto model = loadStableDiffusion(o.model, lo);
  auto& unet = *model->unet;
  auto& vae = *model->vae;
  const auto dev = unet.device();

  SafetensorsFile io(o.inputs);
  const auto x0 = input(io, "in.x0").to(dev, torch::kFloat);
  const auto emb = input(io, "in.prompt_embeds").to(dev, torch::kFloat);
  Outputs out;
  auto put = [&out](const std::string& name, const torch::Tensor& t) {
    const bool integral = !t.is_floating_point();
    out.emplace_back(name, t.detach().to(torch::kCPU, integral ? torch::kLong : torch::kFloat).contiguous());
  };

  // a) inversion
  auto scheduler = makeDragScheduler(n);
  put("out.scheduler_timesteps_" + std::to_string(n), scheduler.timesteps());
  const auto inv = invertForDrag(unet, scheduler, x0, emb, nActual, true);
  put("out.inversion.timesteps", torch::tensor(inv.timesteps, torch::kLong));
  put("out.inversion.latents", torch::stack(inv.latents));
  {
    const int64_t last = static_cast<int64_t>(inv.noisePreds.size()) - 1;
    put("out.inversion.noise_preds", torch::stack({inv.noisePreds[0], inv.noisePreds[std::min<int64_t>(1, last)],
                                                   inv.noisePreds[last]}));
  }
  put("out.inversion.latent", inv.latent);
  const int64_t t = inv.t;
  put("out.t", torch::tensor(t, torch::kLong));

  // b) features
  DragFeatures feats;
  {
    torch::NoGradGuard noGrad;
    feats = forwardUnetFeatures(unet, inv.latent, t, emb, update.featureIdx, grid.height, grid.width);
  }
  put("out.features.unet_output", feats.unetOutput);
  for (std::size_t i = 0; i < update.featureIdx.size(); ++i)
    put("out.features.layer" + std::to_string(update.featureIdx[i]) + "_raw", feats.rawFeatures[i]);
  const auto F0 = feats.features.to(torch::kFloat);
  put("out.features.F0", F0);

  // c) point tracking cases
  torch::Tensor perturbedF;
  if (io.contains("in.tracking.perturbed.latent")) {
    torch::NoGradGuard noGrad;
    perturbedF = forwardUnetFeatures(unet, input(io, "in.tracking.perturbed.latent").to(dev, torch::kFloat), t, emb,
                                     update.featureIdx, grid.height, grid.width)
                     .features.to(torch::kFloat);
  }
  for (const auto& c : cfg.value("point_tracking_cases", nlohmann::json::array())) {
    const std::string name = c.at("name").get<std::string>();
    const auto current = pointsTensor(c.at("handle_points"), name + ".handle_points");
    const auto init = pointsTensor(c.at("handle_points_init"), name + ".handle_points_init");
    const auto F1 = trackingF1(c.at("F1").get<std::string>(), F0, perturbedF);
    put("out.tracking." + name + ".init", init);
    put("out.tracking." + name + ".current", current);
    put("out.tracking." + name + ".result", trackHandlePoints(F0, F1, current, init, update.rP));
  }

  // d) motion supervision (run_drag's point and mask conversion)
  const auto clicks = input(io, "in.points_xy").to(torch::kDouble);
  if (clicks.dim() != 2 || clicks.size(1) != 2 || clicks.size(0) % 2 != 0 || clicks.size(0) == 0)
    throw fileError(o.inputs, "in.points_xy must be [2N, 2] (handle, target, ...) as (x, y)");
  const int64_t pairs = clicks.size(0) / 2;
  auto handles = torch::empty({pairs, 2}), targets = torch::empty({pairs, 2});
  for (int64_t i = 0; i < clicks.size(0); ++i) {
    const cv::Point2f p(static_cast<float>(clicks[i][0].item<double>()), static_cast<float>(clicks[i][1].item<double>()));
    const auto g = workPointToGrid(p, full, grid);
    auto& dst = i % 2 == 0 ? handles : targets;
    dst[i / 2][0] = g[0];
    dst[i / 2][1] = g[1];
  }
  put("derived.handle_points", handles);
  put("derived.target_points", targets);
  const auto maskU8 = input(io, "in.mask_u8");
  auto mask = maskU8.to(torch::kFloat) / 255.0;
  mask = mask.gt(0.0).to(torch::kFloat).reshape({1, 1, maskU8.size(0), maskU8.size(1)});
  const auto maskSup = F::interpolate(mask, F::InterpolateFuncOptions()
                                                .size(std::vector<int64_t>{grid.height, grid.width})
                                                .mode(torch::kNearest));
  put("derived.mask_sup", maskSup);
  torch::Tensor updated;
  {
    torch::AutoGradMode grad(true);
    const auto r = dragDiffusionUpdate(unet, scheduler, inv.latent, emb, t, handles, targets, maskSup.to(dev), update);
    const auto& rec = r.record;
    const auto latentShape = inv.latent.sizes().vec();
    put("out.drag.losses", torch::tensor(std::vector<double>(rec.losses.begin(), rec.losses.end()), torch::kDouble));
    std::vector<torch::Tensor> terms;
    for (const auto& row : rec.lossTerms) terms.push_back(torch::tensor(row, torch::kDouble));
    put("derived.drag.loss_terms", stackOr(terms, {pairs + 1}));
    put("out.drag.grads", stackOr(rec.grads, latentShape));
    put("out.drag.latents", stackOr(rec.latents, latentShape));
    put("out.drag.handle_points_per_step", stackOr(rec.handlesPerStep, {pairs, 2}));
    put("out.drag.tracked_handle_points", stackOr(rec.tracked, {pairs, 2}));
    put("out.drag.unet_outputs", stackOr(rec.unetOutputs, latentShape));
    put("out.drag.updated_latent", r.latent);
    put("derived.drag.x_prev_0", rec.xPrev0);
    put("derived.mask_latent", rec.maskLatent);
    updated = r.latent;
  }

  // e) mutual self-attention denoise, decode
  const auto latentsIn = torch::cat({inv.latent, updated.to(dev)}, 0);
  put("out.denoise.latents_in", latentsIn);
  const auto embPair = torch::cat({emb, emb}, 0);
  {
    torch::NoGradGuard noGrad;
    put("derived.denoise.noise_pred_step1_without_control", unet.forward(latentsIn, Timestep(t), embPair).sample);
  }
  DragDenoiseOptions denoise;
  denoise.numActualSteps = nActual;
  denoise.startStep = param("start_step").get<int64_t>();
  denoise.startLayer = param("start_layer").get<int64_t>();
  denoise.keepFirst = 2;
  const auto den = denoiseWithMutualAttention(unet, scheduler, latentsIn, emb, denoise);
  put("out.denoise.timesteps", torch::tensor(den.timesteps, torch::kLong));
  put("out.denoise.noise_preds_first2", torch::stack(den.noisePreds));
  put("out.denoise.latents_first2", torch::stack(den.latentsPerStep));
  put("out.denoise.latents_final", den.latents);
  {
    torch::NoGradGuard noGrad;
    const auto image = vae.decode(vae.unscaleLatents(den.latents.narrow(0, 1, 1).to(vae.dtype())));
    put("out.denoise.image_edited", (image.to(torch::kFloat) / 2 + 0.5).clamp(0, 1));
  }
  if (io.contains("in.masactrl.latents")) {
    torch::NoGradGuard noGrad;
    const auto latents = input(io, "in.masactrl.latents").to(dev, torch::kFloat);
    MutualSelfAttentionController editor(denoise.startStep, denoise.startLayer, n,
                                         static_cast<int64_t>(unet.attentionModules().size()));
    nn::ForwardHooks hooks{&editor, nullptr};
    UNetForwardOptions options;
    options.hooks = &hooks;
    put("out.masactrl.noise_pred", unet.forward(latents, Timestep(t), embPair, options).sample);
    put("derived.masactrl.noise_pred_without_control", unet.forward(latents, Timestep(t), embPair).sample);
  }
  writeSafetensors(o.out, out, {{"runner", "tensors run drag"}, {"dtype", o.dtype}, {"device", o.device}});
}

}  // namespace

}  // namespace latentshop::cli

LATENTSHOP_TENSOR_RUNNER(run, drag, latentshop::cli::runDrag)
