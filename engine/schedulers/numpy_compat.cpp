#include "engine/schedulers/numpy_compat.h"

#include <algorithm>
#include <cfenv>
#include <cmath>

namespace latentshop::npcompat {

std::vector<double> linspace(double start, double stop, int64_t num) {
  std::vector<double> y;
  if (num <= 0) return y;
  y.resize(static_cast<std::size_t>(num));
  const int64_t div = num - 1;
  const double delta = stop - start;
  if (div > 0) {
    const double step = delta / static_cast<double>(div);
    if (step == 0.0) {
      for (int64_t i = 0; i < num; ++i) y[i] = static_cast<double>(i) / static_cast<double>(div) * delta + start;
    } else {
      for (int64_t i = 0; i < num; ++i) y[i] = static_cast<double>(i) * step + start;
    }
    y[num - 1] = stop;
  } else {
    y[0] = 0.0 * delta + start;
  }
  return y;
}

std::vector<double> arange(double start, double stop, double step) {
  std::vector<double> y;
  const double count = std::ceil((stop - start) / step);
  if (!(count > 0)) return y;
  const auto n = static_cast<std::size_t>(count);
  y.resize(n);
  y[0] = start;
  if (n == 1) return y;
  y[1] = start + step;
  const double delta = y[1] - start;
  for (std::size_t i = 2; i < n; ++i) y[i] = start + static_cast<double>(i) * delta;
  return y;
}

double roundHalfEven(double x) {
  // std::nearbyint honours the current rounding mode, which is round-to-nearest-even unless
  // someone changed it; force the mode for the call to be safe.
  const int mode = std::fegetround();
  if (mode != FE_TONEAREST) std::fesetround(FE_TONEAREST);
  const double r = std::nearbyint(x);
  if (mode != FE_TONEAREST) std::fesetround(mode);
  return r;
}

std::vector<double> interp(const std::vector<double>& x, const std::vector<double>& xp,
                           const std::vector<double>& fp) {
  std::vector<double> out(x.size());
  const std::size_t n = xp.size();
  if (n == 0) return out;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    if (std::isnan(v)) {
      out[i] = v;
    } else if (v > xp[n - 1]) {
      out[i] = fp[n - 1];
    } else if (v < xp[0]) {
      out[i] = fp[0];
    } else {
      // j: the last index with xp[j] <= v (NumPy's binary_search_with_guess).
      const std::size_t j = static_cast<std::size_t>(std::upper_bound(xp.begin(), xp.end(), v) - xp.begin()) - 1;
      if (j == n - 1 || xp[j] == v) {
        out[i] = fp[j];
      } else {
        const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
        double r = slope * (v - xp[j]) + fp[j];
        if (std::isnan(r)) {
          r = slope * (v - xp[j + 1]) + fp[j + 1];
          if (std::isnan(r) && fp[j] == fp[j + 1]) r = fp[j];
        }
        out[i] = r;
      }
    }
  }
  return out;
}

std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int64_t n, double rho) {
  const std::vector<double> ramp = linspace(0.0, 1.0, n);
  const double minInvRho = std::pow(sigmaMin, 1.0 / rho);
  const double maxInvRho = std::pow(sigmaMax, 1.0 / rho);
  std::vector<double> out(ramp.size());
  for (std::size_t i = 0; i < ramp.size(); ++i) out[i] = std::pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
  return out;
}

std::vector<double> luLambdas(double lambdaMin, double lambdaMax, int64_t n) {
  const std::vector<double> ramp = linspace(0.0, 1.0, n);
  // rho = 1: x ** (1/1) and ** 1 leave the values unchanged.
  std::vector<double> out(ramp.size());
  for (std::size_t i = 0; i < ramp.size(); ++i) out[i] = lambdaMax + ramp[i] * (lambdaMin - lambdaMax);
  return out;
}

double sigmaToT(double sigma, const std::vector<float>& logSigmas) {
  const double logSigma = std::log(std::max(sigma, 1e-10));
  const auto logSigma32 = static_cast<float>(logSigma);
  const std::size_t n = logSigmas.size();
  // low_idx = argmax(cumsum(dists >= 0)): the last index whose distance is >= 0 (0 if none).
  std::size_t low = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float dist = logSigma32 - logSigmas[i];
    if (dist >= 0.0f) low = i;
  }
  low = std::min(low, n - 2);
  const std::size_t high = low + 1;
  const float lowV = logSigmas[low];
  const float highV = logSigmas[high];
  float w = (lowV - logSigma32) / (lowV - highV);
  w = std::min(std::max(w, 0.0f), 1.0f);
  const float oneMinusW = 1.0f - w;
  return static_cast<double>(oneMinusW) * static_cast<double>(low) +
         static_cast<double>(w) * static_cast<double>(high);
}

}  // namespace latentshop::npcompat
