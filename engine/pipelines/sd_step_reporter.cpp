#include "engine/pipelines/sd_step_reporter.h"

#include "engine/runtime/job.h"
#include "engine/runtime/model_cache.h"

namespace latentshop {

std::shared_ptr<PreviewDecoder> previewDecoderFor(JobContext& context, const std::string& taesdPath,
                                                  torch::Device device, const AutoencoderKL& vae) {
  if (taesdPath.empty() && vae && vaeCheapEnoughToPreview(*vae)) return std::make_shared<VaePreviewDecoder>(vae);
  if (taesdPath.empty()) return std::make_shared<LinearPreviewDecoder>();
  const std::string key = taesdPath + "|" + device.str();
  return context.models().getOrLoad<PreviewDecoder>("preview", key, [&]() -> std::shared_ptr<PreviewDecoder> {
    return makePreviewDecoder(taesdPath, device);
  });
}

SdStepReporter::SdStepReporter(JobContext& context, std::shared_ptr<PreviewDecoder> decoder, cv::Rect placement,
                               cv::Size previewSize)
    : context_(context), decoder_(std::move(decoder)), placement_(placement), previewSize_(previewSize) {}

void SdStepReporter::begin(int total) {
  context_.beginStage("Denoising", total);
  lastEnd_ = std::chrono::steady_clock::now();
}

StepObserver SdStepReporter::observer() {
  return [this](const DenoiseStep& s) {
    steps_ = s.index + 1;
    context_.progress(s.index + 1);  // throws JobCancelled when cancel was asked
    if (!decoder_) return;
    const auto start = std::chrono::steady_clock::now();
    const double stepSeconds = std::chrono::duration<double>(start - lastEnd_).count();
    PreviewImage p;
    const auto x0 = stride_ > 1 ? torch::avg_pool2d(s.predOriginal, stride_) : s.predOriginal;
    p.rgb = decoder_->decode(x0, previewSize_);
    p.placement = placement_;
    p.step = s.index + 1;
    p.total = s.total;
    const double previewSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    previewSeconds_ += previewSeconds;
    if (previewSeconds > kPreviewBudget * stepSeconds && stride_ < 4 && decoder_->name() != "linear" &&
        s.predOriginal.size(2) >= 8 * stride_ && s.predOriginal.size(3) >= 8 * stride_) {
      stride_ *= 2;
    }
    context_.preview(p);
    context_.throwIfCancelled();  // cancelled while the preview was decoded: no further step
    lastEnd_ = std::chrono::steady_clock::now();
  };
}

}  // namespace latentshop
