#include "engine/nn/group_norm_moments.h"

#include <string>

#include "engine/core/error.h"
#include "engine/nn/basic_layers.h"

namespace latentshop::nn {

void GroupMoments::add(const torch::Tensor& x) {
  const int64_t b = x.size(0), c = x.size(1);
  if (groups <= 0 || c % groups != 0)
    throw Error("GroupNorm moments: " + std::to_string(c) + " channels do not split into " + std::to_string(groups) + " groups");
  const auto grouped = x.reshape({b, groups, c / groups, x.size(2), x.size(3)});
  const double n = static_cast<double>(grouped[0][0].numel());
  if (n == 0) return;
  auto [var, partMean] = at::var_mean(grouped, {2, 3, 4}, /*unbiased=*/false);
  const auto m = partMean.to(torch::kDouble);
  const auto partM2 = var.to(torch::kDouble) * n;
  if (count == 0) {
    count = n, mean = m, m2 = partM2;
    return;
  }
  const double total = count + n;
  const auto delta = m - mean;
  mean = mean + delta * (n / total);
  m2 = m2 + partM2 + delta.square() * (count * n / total);
  count = total;
}

torch::Tensor groupNormWithMoments(const GroupNormImpl& layer, const torch::Tensor& x, const GroupMoments& m) {
  if (m.count == 0 || m.groups != layer.groups) throw Error("GroupNorm: no statistics gathered for this map");
  const int64_t b = x.size(0), c = x.size(1), g = layer.groups;
  // y = x · a + s with a = weight · rstd(group), s = bias − mean(group) · a, per batch item and channel.
  const auto rstd = (m.m2 / m.count + layer.eps).rsqrt();  // [B, G]
  const auto rstdC = rstd.repeat_interleave(c / g, 1).to(x.scalar_type());
  const auto meanC = m.mean.repeat_interleave(c / g, 1).to(x.scalar_type());
  const auto a = layer.weight.unsqueeze(0) * rstdC;
  const auto s = layer.bias.unsqueeze(0) - meanC * a;
  return at::addcmul(s.view({b, c, 1, 1}), x, a.view({b, c, 1, 1}));
}

}  // namespace latentshop::nn
