// What `latentshop-cli inpaint --model` and `latentshop-cli instruct` share: running an engine job
// function in the CLI's own thread with a JobContext that prints progress to stderr, and writing
// the results: the image (a PNG carries the edit's parameters in its `parameters` and `latentshop`
// text chunks, engine/io/png_parameters.h), the parameters as JSON (--json), and a layered project
// (--project P.ora, engine/io/project_edit.h).
#pragma once
#include <functional>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "engine/io/project_edit.h"
#include "engine/runtime/job.h"

namespace latentshop::cli {

// Runs `fn` with a fresh model cache; progress ("Denoising 3/20, 12 s left") goes to stderr when it
// is a terminal, and to the debug log (-v) otherwise.
void runWithContext(const std::function<void(JobContext&)>& fn);

// Fails early (before any work) when `path` has an extension writeImage cannot write.
void requireWritableImage(const std::string& path);

struct SdOutputs {
  std::string out;      // --out: the edited image ("" = none, inpaint with --project only)
  std::string json;     // --json: parameters (optional)
  std::string project;  // --project: layered .ora (optional)
};
// Writes `composite` to outputs.out when given (PNG: with the parameter chunks), params to outputs.json, and
// `edit` (original, result layer, mask, params) as a project to outputs.project.
void writeSdOutputs(const SdOutputs& outputs, const cv::Mat& composite, const nlohmann::json& params,
                    const EditRecord& edit);

// --batch N: variation `index` (0-based) of `count` goes to "out-1.png" … "out-N.png" (the number
// before the extension); with count 1 (and for "") the path is unchanged.
std::string variationPath(const std::string& path, int index, int count);
SdOutputs variationOutputs(const SdOutputs& outputs, int index, int count);

}  // namespace latentshop::cli
