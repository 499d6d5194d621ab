#include "engine/pipelines/sd_step_reporter.h"

#include "engine/runtime/job.h"
#include "engine/runtime/model_cache.h"

namespace latentshop {

std::shared_ptr<PreviewDecoder> previewDecoderFor(JobContext& context, const std::string& taesdPath,
                                                  torch::Device device) {
  if (taesdPath.empty()) return std::make_shared<LinearPreviewDecoder>();
  const std::string key = taesdPath + "|" + device.str();
  return context.models().getOrLoad<PreviewDecoder>("preview", key, [&]() -> std::shared_ptr<PreviewDecoder> {
    return makePreviewDecoder(taesdPath, device);
  });
}

SdStepReporter::SdStepReporter(JobContext& context, std::shared_ptr<PreviewDecoder> decoder, cv::Rect placement,
                               cv::Size previewSize)
    : context_(context), decoder_(std::move(decoder)), placement_(placement), previewSize_(previewSize) {}

void SdStepReporter::begin(int total) { context_.beginStage("Denoising", total); }

StepObserver SdStepReporter::observer() {
  return [this](const DenoiseStep& s) {
    steps_ = s.index + 1;
    context_.progress(s.index + 1);  // throws JobCancelled when cancel was asked
    if (!decoder_) return;
    const auto start = std::chrono::steady_clock::now();
    PreviewImage p;
    p.rgb = decoder_->decode(s.predOriginal, previewSize_);
    p.placement = placement_;
    p.step = s.index + 1;
    p.total = s.total;
    previewSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    context_.preview(p);
    context_.throwIfCancelled();  // cancelled while the preview was decoded: no further step
  };
}

}  // namespace latentshop
