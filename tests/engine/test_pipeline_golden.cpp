// LATENTSHOP_TEST_LABELS: golden;pipelines;cli
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp
// The SD editing pipelines against diffusers 0.26.3 (../shared/golden/pipeline_inpaint_tiny and
// pipeline_ip2p_tiny): through the engine (runInpaintDenoise / runInstructDenoise on a diffusers
// folder assembled from the golden components and loaded by the users' loader) and through
// `latentshop-cli tensors run inpaint|instruct`. Timesteps exact; latents per step, UNet inputs
// and outputs and the image within 1e-3. The recorded masked-image noise is exactly the first draw
// of torch.Generator().manual_seed(7005), so running from the seed alone gives the same result.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sd_tiny_model.h"
#include "support/tensor_compare.h"
#include "support/cli_run.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/pipelines/sd_inpaint_denoise.h"
#include "engine/pipelines/sd_instruct_denoise.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/schedulers/scheduler_factory.h"

using namespace latentshop;

namespace {

constexpr double kAtol = 1e-3;

torch::Tensor golden(const SafetensorsFile& f, const std::string& name) { return f.view(name).clone(); }

std::shared_ptr<StableDiffusionModel> loadFolder(const std::string& folder) {
  ModelLoadOptions o;
  o.tokenizer = false;
  o.textEncoder = false;
  return loadStableDiffusion(folder, o);
}

std::string check(const torch::Tensor& actual, const SafetensorsFile& f, const std::string& name, double atol = kAtol) {
  const auto c = lstest::allClose(actual, golden(f, name), atol, 0.0, name);
  return c.ok ? std::string() : c.message;
}

std::string folderFor(const std::string& pipelineCase) {
  const bool inpaint = pipelineCase == "pipeline_inpaint_tiny";
  return lstest::makeGoldenSdFolder(pipelineCase + "_folder", inpaint ? "unet_inpaint_tiny" : "unet_ip2p_tiny",
                                    lstest::goldenPipelineScheduler(pipelineCase));
}

}  // namespace

class TestPipelineGolden : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void inpaintMatchesDiffusers();
  void inpaintFromTheSeedAlone();
  void instructMatchesDiffusers();
  void harnessCli();
  void harnessFaults();
};

void TestPipelineGolden::initTestCase() { configureTorchThreads(); }

void TestPipelineGolden::inpaintMatchesDiffusers() {
  const SafetensorsFile f(lstest::goldenPath("pipeline_inpaint_tiny.io.safetensors"));
  const auto model = loadFolder(folderFor("pipeline_inpaint_tiny"));
  QCOMPARE(model->unetKind, UnetKind::Inpainting);
  auto sched = makePipelineScheduler(model->schedulerConfig, "default");
  QCOMPARE(sched.used, std::string("DDIMScheduler"));
  QVERIFY(sched.note.empty());

  InpaintDenoiseInput in;
  in.image = normalizeImage(golden(f, "in.image"));
  in.mask = binarizeMaskTensor(golden(f, "in.mask_image"));
  QVERIFY(torch::equal(in.image, golden(f, "derived.image_normalized")));
  QVERIFY(torch::equal(in.mask, golden(f, "derived.mask_binarized")));
  in.promptEmbeds = golden(f, "in.prompt_embeds");
  in.negativePromptEmbeds = golden(f, "in.negative_prompt_embeds");
  in.steps = golden(f, "in.num_inference_steps").item<int64_t>();
  in.guidanceScale = golden(f, "in.guidance_scale").item<double>();
  in.latents = golden(f, "in.latents");
  in.noiseMaskedImagePosterior = golden(f, "derived.noise_masked_image_posterior");
  in.recordUnet = true;
  int observed = 0;
  const auto out = runInpaintDenoise(*model, *sched.scheduler, in, [&](const DenoiseStep& s) {
    QCOMPARE(s.index, observed);
    QCOMPARE(s.total, 3);
    QCOMPARE(s.predOriginal.sizes(), (c10::IntArrayRef{1, 4, 16, 16}));
    ++observed;
  });
  QCOMPARE(observed, 3);
  QVERIFY(torch::equal(out.timesteps, golden(f, "out.timesteps")));
  for (const auto& [actual, name] : std::vector<std::pair<torch::Tensor, std::string>>{
           {out.maskLatent, "derived.mask_latent"},
           {out.maskedImageLatents, "derived.masked_image_latents"},
           {out.unetInputs, "out.unet_inputs"},
           {out.unetOutputs, "out.unet_outputs"},
           {out.latentsPerStep, "out.latents_per_step"},
           {out.latents, "derived.final_latents"},
           {out.decoded, "derived.decoded"},
           {decodedToImageNp(out.decoded), "out.image_np"}}) {
    const std::string fault = check(actual, f, name);
    QVERIFY2(fault.empty(), fault.c_str());
  }
  const auto c = lstest::allClose(decodedToImageNp(out.decoded), golden(f, "out.image_np"), kAtol, 0, "image");
  std::printf("   inpaint: image_np max |diff| %.2e, latents %.2e\n", c.maxAbsDiff,
              lstest::allClose(out.latentsPerStep, golden(f, "out.latents_per_step"), 1, 0).maxAbsDiff);
}

void TestPipelineGolden::inpaintFromTheSeedAlone() {
  const SafetensorsFile f(lstest::goldenPath("pipeline_inpaint_tiny.io.safetensors"));
  const auto seed = static_cast<uint64_t>(golden(f, "in.generator_seed").item<int64_t>());
  QCOMPARE(seed, uint64_t{7005});
  // torch.randn(shape, generator=manual_seed(7005)) as diffusers' randn_tensor draws it.
  auto gen = makeCpuGenerator(seed);
  const auto first = seededNoise(gen, {1, 4, 16, 16}, torch::TensorOptions());
  QVERIFY(torch::equal(first, golden(f, "derived.noise_masked_image_posterior")));

  const auto model = loadFolder(folderFor("pipeline_inpaint_tiny"));
  auto sched = makePipelineScheduler(model->schedulerConfig, "default");
  InpaintDenoiseInput in;
  in.image = normalizeImage(golden(f, "in.image"));
  in.mask = binarizeMaskTensor(golden(f, "in.mask_image"));
  in.promptEmbeds = golden(f, "in.prompt_embeds");
  in.negativePromptEmbeds = golden(f, "in.negative_prompt_embeds");
  in.steps = 3;
  in.guidanceScale = 7.5;
  in.latents = golden(f, "in.latents");
  in.generator = makeCpuGenerator(seed);  // no recorded draw: the generator provides it
  const auto out = runInpaintDenoise(*model, *sched.scheduler, in);
  const std::string fault = check(decodedToImageNp(out.decoded), f, "out.image_np");
  QVERIFY2(fault.empty(), fault.c_str());
}

void TestPipelineGolden::instructMatchesDiffusers() {
  const SafetensorsFile f(lstest::goldenPath("pipeline_ip2p_tiny.io.safetensors"));
  const auto model = loadFolder(folderFor("pipeline_ip2p_tiny"));
  QCOMPARE(model->unetKind, UnetKind::Instruct);
  auto sched = makePipelineScheduler(model->schedulerConfig, "default");
  InstructDenoiseInput in;
  in.image = normalizeImage(golden(f, "in.image"));
  in.promptEmbeds = golden(f, "in.prompt_embeds");
  in.negativePromptEmbeds = golden(f, "in.negative_prompt_embeds");
  in.steps = golden(f, "in.num_inference_steps").item<int64_t>();
  in.guidanceScale = golden(f, "in.guidance_scale").item<double>();
  in.imageGuidanceScale = golden(f, "in.image_guidance_scale").item<double>();
  in.latents = golden(f, "in.latents");
  in.recordUnet = true;
  const auto out = runInstructDenoise(*model, *sched.scheduler, in);
  QVERIFY(torch::equal(out.timesteps, golden(f, "out.timesteps")));
  for (const auto& [actual, name] : std::vector<std::pair<torch::Tensor, std::string>>{
           {out.imageLatents, "derived.image_latents"},
           {out.unetInputs, "out.unet_inputs"},
           {out.unetOutputs, "out.unet_outputs"},
           {out.latentsPerStep, "out.latents_per_step"},
           {out.latents, "derived.final_latents"},
           {decodedToImageNp(out.decoded), "out.image_np"}}) {
    const std::string fault = check(actual, f, name);
    QVERIFY2(fault.empty(), fault.c_str());
  }
}

void TestPipelineGolden::harnessCli() {
  for (const std::string what : {"inpaint", "instruct"}) {
    const std::string pipelineCase = what == "inpaint" ? "pipeline_inpaint_tiny" : "pipeline_ip2p_tiny";
    const std::string folder = folderFor(pipelineCase);
    const std::string outPath = lstest::scratchDir() + "/" + what + ".out.safetensors";
    const lstest::CliRun r = lstest::runCli("tensors run " + what + " --model \"" + folder + "\" --inputs \"" +
                         lstest::goldenPath(pipelineCase + ".io.safetensors") + "\" --out \"" + outPath + "\"");
    QVERIFY2(r.status == 0, r.err.c_str());
    const SafetensorsFile out(outPath);
    const SafetensorsFile f(lstest::goldenPath(pipelineCase + ".io.safetensors"));
    QVERIFY(torch::equal(out.view("out.timesteps"), f.view("out.timesteps")));
    for (const std::string name : {"out.latents_per_step", "out.image_np", "out.unet_inputs", "out.unet_outputs"}) {
      QVERIFY2(out.contains(name), name.c_str());
      const std::string fault = check(out.view(name), f, name);
      QVERIFY2(fault.empty(), fault.c_str());
    }
  }
}

void TestPipelineGolden::harnessFaults() {
  const std::string io = lstest::goldenPath("pipeline_inpaint_tiny.io.safetensors");
  const std::string out = lstest::scratchDir() + "/fault.safetensors";
  lstest::CliRun r = lstest::runCli("tensors run inpaint --inputs \"" + io + "\" --out \"" + out + "\"");
  QCOMPARE(r.status, 1);
  QVERIFY2(r.err.find("--model") != std::string::npos, r.err.c_str());
  // An instruct folder given to the inpaint harness: the UNet's channels are named.
  const std::string ip2p = folderFor("pipeline_ip2p_tiny");
  r = lstest::runCli("tensors run inpaint --model \"" + ip2p + "\" --inputs \"" + io + "\" --out \"" + out + "\"");
  QCOMPARE(r.status, 1);
  QVERIFY2(r.err.find("8 input channels") != std::string::npos, r.err.c_str());
  // Inputs without the prompt embeddings.
  r = lstest::runCli("tensors run instruct --model \"" + ip2p + "\" --inputs \"" + lstest::goldenPath("vae_tiny.io.safetensors") +
             "\" --out \"" + out + "\"");
  QCOMPARE(r.status, 1);
  QVERIFY2(r.err.find("in.prompt_embeds") != std::string::npos, r.err.c_str());
}

QTEST_GUILESS_MAIN(TestPipelineGolden)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_pipeline_golden.moc"
#endif
