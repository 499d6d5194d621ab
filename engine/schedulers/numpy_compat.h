// The few NumPy routines diffusers' schedulers compute timesteps and sigmas with, reproduced with
// NumPy's exact arithmetic (float64 unless noted), so our timesteps/sigmas match bit for bit or to
// the last float32 ulp. References: numpy 1.24 `numpy/core/function_base.py` (linspace),
// `numpy/core/src/multiarray/ctors.c` + `arraytypes.c.src` (arange and its fill loop),
// `numpy/core/src/multiarray/compiled_base.c` (interp), and the schedulers' helpers in
// diffusers/src/diffusers/schedulers/scheduling_euler_discrete.py (`_sigma_to_t`,
// `_convert_to_karras`) and scheduling_dpmsolver_multistep.py (`_convert_to_lu`).
#pragma once
#include <cstdint>
#include <vector>

namespace latentshop::npcompat {

// np.linspace(start, stop, num) (endpoint=True) in float64: start + i*((stop-start)/(num-1)),
// the last value set to `stop` exactly; num == 1 gives [start]; num <= 0 gives [].
std::vector<double> linspace(double start, double stop, int64_t num);

// np.arange(start, stop, step) with a float step: ceil((stop-start)/step) values; [0] = start,
// [1] = start + step, [i >= 2] = start + i*((start + step) - start) (NumPy's fill loop).
std::vector<double> arange(double start, double stop, double step);

// np.round / np.rint: round half to even.
double roundHalfEven(double x);

// np.interp(x, xp, fp) for increasing xp, computed in float64 as NumPy does (values outside
// [xp[0], xp[-1]] take fp[0] / fp[-1]).
std::vector<double> interp(const std::vector<double>& x, const std::vector<double>& xp,
                           const std::vector<double>& fp);

// Karras et al. (2022) sigmas: (max^(1/rho) + ramp*(min^(1/rho) - max^(1/rho)))^rho with
// ramp = linspace(0, 1, n) and rho = 7 (diffusers `_convert_to_karras`).
std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int64_t n, double rho = 7.0);

// Lu et al. (2022) log-SNR-uniform schedule (`_convert_to_lu`, rho = 1): linear from
// lambdaMax to lambdaMin in n values.
std::vector<double> luLambdas(double lambdaMin, double lambdaMax, int64_t n);

// diffusers `_sigma_to_t(sigma, log_sigmas)`: the fractional training timestep whose sigma is
// `sigma`, by linear interpolation in log-sigma. `logSigmas` is the float32 array np.log(sigmas);
// like NumPy 1.x (value-based casting), the distances and the weight are computed in float32 and
// the final blend in float64.
double sigmaToT(double sigma, const std::vector<float>& logSigmas);

}  // namespace latentshop::npcompat
