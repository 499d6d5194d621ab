// A training run's loss history: one CSV row per step ("step,loss,lr,seconds"), rewritten to the
// checkpoint's step on resume so a killed run leaves no rows for steps it will redo, and drawn as a
// PNG (raw loss in light grey, its 50-step moving average on top, log-scaled loss axis).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace latentshop::training {

struct LossRow {
  std::int64_t step = 0;  // 1-based
  double loss = 0.0, lr = 0.0, seconds = 0.0;
};

// Rows of `path` with step <= upToStep (all when upToStep < 0); none when the file is missing.
std::vector<LossRow> readLossLog(const std::string& path, std::int64_t upToStep = -1);
// Rewrites `path` with `rows`.
void writeLossLog(const std::string& path, const std::vector<LossRow>& rows);
// The curve as PNG (`width`×`height`), titled `title`. Throws Error naming the path on failure.
void writeLossCurvePng(const std::string& path, const std::vector<LossRow>& rows, const std::string& title,
                       int width = 800, int height = 400);

}  // namespace latentshop::training
