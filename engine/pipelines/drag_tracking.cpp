#include "engine/pipelines/drag_tracking.h"

#include <algorithm>

#include "engine/core/error.h"

namespace latentshop {

namespace {

// Python's int() of a non-negative float: truncation.
int64_t truncated(const torch::Tensor& v) { return static_cast<int64_t>(v.item<float>()); }

void checkPoints(const torch::Tensor& points, const char* what) {
  if (points.dim() != 2 || points.size(1) != 2) throw Error(std::string("drag: ") + what + " must be [N, 2] (row, col)");
}

// `n` consecutive indices from `start`, clamped into [0, size) (border replication outside).
torch::Tensor clampedRange(int64_t start, int64_t n, int64_t size) {
  return torch::arange(start, start + n, torch::kLong).clamp(0, size - 1);
}

torch::Tensor patchAt(const torch::Tensor& feat, int64_t row, int64_t nRows, int64_t col, int64_t nCols) {
  const int64_t h = feat.size(2), w = feat.size(3);
  if (row >= 0 && col >= 0 && row + nRows <= h && col + nCols <= w)
    return feat.slice(2, row, row + nRows).slice(3, col, col + nCols);
  const auto device = feat.device();
  return feat.index_select(2, clampedRange(row, nRows, h).to(device)).index_select(3, clampedRange(col, nCols, w).to(device));
}

}  // namespace

torch::Tensor trackHandlePoints(const torch::Tensor& F0, const torch::Tensor& F1, const torch::Tensor& handles,
                                const torch::Tensor& handlesInit, int64_t rP) {
  checkPoints(handles, "handle points");
  checkPoints(handlesInit, "initial handle points");
  torch::NoGradGuard noGrad;
  const int64_t maxR = F0.size(2), maxC = F0.size(3);
  auto out = handles.to(torch::kCPU, torch::kFloat).clone();
  const auto init = handlesInit.to(torch::kCPU, torch::kFloat);
  for (int64_t i = 0; i < out.size(0); ++i) {
    const int64_t r0 = truncated(init[i][0]), c0 = truncated(init[i][1]);
    const auto f0 = F0.select(2, r0).select(2, c0);  // [1, C]
    const int64_t pr = truncated(out[i][0]), pc = truncated(out[i][1]);
    const int64_t r1 = std::max<int64_t>(0, pr - rP), r2 = std::min<int64_t>(maxR, pr + rP + 1);
    const int64_t c1 = std::max<int64_t>(0, pc - rP), c2 = std::min<int64_t>(maxC, pc + rP + 1);
    if (r1 >= r2 || c1 >= c2) throw Error("drag: a handle point lies outside the feature map");
    const auto neighbours = F1.slice(2, r1, r2).slice(3, c1, c2);
    const auto dist = (f0.unsqueeze(-1).unsqueeze(-1) - neighbours).abs().sum(1).squeeze(0);  // [h, w]
    const int64_t index = dist.argmin().item<int64_t>();
    const int64_t width = dist.size(-1);
    out[i][0] = static_cast<float>(r1 + index / width);
    out[i][1] = static_cast<float>(c1 + index % width);
  }
  return out;
}

bool handlesReachedTargets(const torch::Tensor& handles, const torch::Tensor& targets) {
  checkPoints(handles, "handle points");
  checkPoints(targets, "target points");
  if (handles.size(0) != targets.size(0)) throw Error("drag: as many handle points as target points are needed");
  const auto h = handles.to(torch::kCPU, torch::kFloat), t = targets.to(torch::kCPU, torch::kFloat);
  for (int64_t i = 0; i < h.size(0); ++i)
    if (!((h[i] - t[i]).norm().item<float>() < 2.0f)) return false;
  return true;
}

torch::Tensor interpolateFeaturePatch(const torch::Tensor& feat, const torch::Tensor& y1, const torch::Tensor& y2,
                                      const torch::Tensor& x1, const torch::Tensor& x2) {
  const auto x1Floor = torch::floor(x1).to(torch::kLong);
  const auto x1Cell = x1Floor + 1;
  const int64_t dx = (torch::floor(x2).to(torch::kLong) - x1Floor).item<int64_t>();
  const auto y1Floor = torch::floor(y1).to(torch::kLong);
  const auto y1Cell = y1Floor + 1;
  const int64_t dy = (torch::floor(y2).to(torch::kLong) - y1Floor).item<int64_t>();

  const auto wa = (x1Cell.to(torch::kFloat) - x1) * (y1Cell.to(torch::kFloat) - y1);
  const auto wb = (x1Cell.to(torch::kFloat) - x1) * (y1 - y1Floor.to(torch::kFloat));
  const auto wc = (x1 - x1Floor.to(torch::kFloat)) * (y1Cell.to(torch::kFloat) - y1);
  const auto wd = (x1 - x1Floor.to(torch::kFloat)) * (y1 - y1Floor.to(torch::kFloat));

  const int64_t yf = y1Floor.item<int64_t>(), yc = y1Cell.item<int64_t>();
  const int64_t xf = x1Floor.item<int64_t>(), xc = x1Cell.item<int64_t>();
  const auto device = feat.device();
  const auto ia = patchAt(feat, yf, dy, xf, dx);
  const auto ib = patchAt(feat, yc, dy, xf, dx);
  const auto ic = patchAt(feat, yf, dy, xc, dx);
  const auto id = patchAt(feat, yc, dy, xc, dx);
  return ia * wa.to(device) + ib * wb.to(device) + ic * wc.to(device) + id * wd.to(device);
}

MotionSupervisionLoss motionSupervisionLoss(const torch::Tensor& F1, const torch::Tensor& handles,
                                            const torch::Tensor& targets, int64_t rM) {
  checkPoints(handles, "handle points");
  checkPoints(targets, "target points");
  const int64_t maxR = F1.size(2), maxC = F1.size(3);
  const auto h = handles.to(torch::kCPU, torch::kFloat), t = targets.to(torch::kCPU, torch::kFloat);
  MotionSupervisionLoss loss;
  const double patchArea = static_cast<double>((2 * rM + 1) * (2 * rM + 1));
  for (int64_t i = 0; i < h.size(0); ++i) {
    const auto pi = h[i], ti = t[i];
    const auto norm = (ti - pi).norm();
    if (norm.item<float>() < 2.0f) {
      loss.terms.push_back(torch::zeros({}, F1.options()));
      continue;
    }
    const auto di = (ti - pi) / norm;
    const int64_t pr = truncated(pi[0]), pc = truncated(pi[1]);
    const int64_t r1 = std::max<int64_t>(0, pr - rM), r2 = std::min<int64_t>(maxR, pr + rM + 1);
    const int64_t c1 = std::max<int64_t>(0, pc - rM), c2 = std::min<int64_t>(maxC, pc + rM + 1);
    const auto f0Patch = F1.slice(2, r1, r2).slice(3, c1, c2).detach();
    const auto f1Patch = interpolateFeaturePatch(F1, di[0] + r1, di[0] + r2, di[1] + c1, di[1] + c2);
    auto term = patchArea * torch::l1_loss(f0Patch, f1Patch);
    loss.total = loss.total.defined() ? loss.total + term : term;
    loss.terms.push_back(term);
  }
  return loss;
}

}  // namespace latentshop
