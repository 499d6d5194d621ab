// `latentshop-cli tensors run unet|vae`: parity harness for UNet2DConditionModel and AutoencoderKL on
// the ../shared/golden conventions (see ../shared/golden/README.md).
//   unet: every in.timestep.<run> with in.sample and in.encoder_hidden_states → out.sample.<run>.
//   vae:  in.image → out.posterior_mean / _logvar / _std; out.posterior_sample = mean + std · noise,
//         noise = out.posterior_sample_noise from the inputs file when present, else
//         randn(seed in.sample_seed, default 0) (written back as out.posterior_sample_noise);
//         in.latent → out.decoded (decode, no scaling); decode(mean) → out.forward_mode.
// Outputs are written as float32 whatever --dtype the models ran in.
#include <map>
#include <string>
#include <vector>

#include "app/cli/tensor_runners.h"
#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/io/state_dict.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/models/unet_2d_condition.h"

namespace latentshop::cli {

namespace {

void requireFiles(const TensorRunOptions& o) {
  if (o.config.empty()) throw Error("tensors run " + o.what + ": --config is required");
  if (o.weights.empty()) throw Error("tensors run " + o.what + ": --weights is required");
}

torch::Tensor input(const SafetensorsFile& file, const std::string& name) {
  if (!file.contains(name)) throw fileError(file.path(), "missing input tensor '" + name + "'");
  return file.load(name, file.entry(name).dtype);
}

using Outputs = std::vector<std::pair<std::string, torch::Tensor>>;

void write(const TensorRunOptions& o, const Outputs& outputs, const std::string& what) {
  Outputs f32;
  for (const auto& [name, t] : outputs) f32.emplace_back(name, t.detach().to(torch::kCPU, torch::kFloat).contiguous());
  writeSafetensors(o.out, f32, {{"runner", "tensors run " + what}, {"dtype", o.dtype}, {"device", o.device}});
}

void runUnet(const TensorRunOptions& o) {
  requireFiles(o);
  const auto device = parseDevice(o.device);
  const auto dtype = parseDtype(o.dtype);
  torch::InferenceMode inference;
  UNet2DConditionModel unet(UNet2DConditionConfig::fromFile(o.config), torch::TensorOptions().dtype(dtype).device(device));
  {
    SafetensorsFile weights(o.weights);
    bindStateDict(*unet, weights.viewAll(), o.weights, "UNet2DConditionModel");
  }
  SafetensorsFile inputs(o.inputs);
  const auto sample = input(inputs, "in.sample").to(device, dtype);
  const auto context = input(inputs, "in.encoder_hidden_states").to(device, dtype);
  const std::string prefix = "in.timestep.";
  Outputs outputs;
  for (const auto& name : inputs.names()) {
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string run = name.substr(prefix.size());
    auto t = input(inputs, name);  // keeps its dtype (int64 or float) as the reference receives it
    outputs.emplace_back("out.sample." + run, unet->forward(sample, Timestep(t), context).sample);
  }
  if (outputs.empty()) throw fileError(o.inputs, "no in.timestep.<run> tensors");
  write(o, outputs, "unet");
}

void runVae(const TensorRunOptions& o) {
  requireFiles(o);
  const auto device = parseDevice(o.device);
  const auto dtype = parseDtype(o.dtype);
  torch::InferenceMode inference;
  AutoencoderKL vae(AutoencoderKLConfig::fromFile(o.config), torch::TensorOptions().dtype(dtype).device(device));
  {
    SafetensorsFile weights(o.weights);
    auto dict = weights.viewAll();
    convertDeprecatedAttentionKeys(dict);
    bindStateDict(*vae, dict, o.weights, "AutoencoderKL");
  }
  SafetensorsFile inputs(o.inputs);
  Outputs outputs;
  bool any = false;
  if (inputs.contains("in.image")) {
    any = true;
    auto posterior = vae->encode(input(inputs, "in.image"));
    torch::Tensor noise;
    if (inputs.contains("out.posterior_sample_noise")) {
      noise = input(inputs, "out.posterior_sample_noise");
    } else {
      const int64_t seed = inputs.contains("in.sample_seed") ? input(inputs, "in.sample_seed").item<int64_t>() : 0;
      auto gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
      noise = torch::randn(posterior.mean.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat));
    }
    outputs.emplace_back("out.posterior_mean", posterior.mean);
    outputs.emplace_back("out.posterior_logvar", posterior.logvar);
    outputs.emplace_back("out.posterior_std", posterior.std);
    outputs.emplace_back("out.posterior_sample_noise", noise);
    outputs.emplace_back("out.posterior_sample", posterior.sample(noise));
    outputs.emplace_back("out.forward_mode", vae->decode(posterior.mode()));
  }
  if (inputs.contains("in.latent")) {
    any = true;
    outputs.emplace_back("out.decoded", vae->decode(input(inputs, "in.latent")));
  }
  if (!any) throw fileError(o.inputs, "neither in.image nor in.latent is present");
  write(o, outputs, "vae");
}

}  // namespace

}  // namespace latentshop::cli

LATENTSHOP_TENSOR_RUNNER(run, unet, latentshop::cli::runUnet)
LATENTSHOP_TENSOR_RUNNER(run, vae, latentshop::cli::runVae)
