// Errors the engine reports to users. Every message names the file or parameter at fault and the
// problem, e.g. "unet/diffusion_pytorch_model.safetensors: header length 9e18 runs past the end of
// the 1.2 MB file". Jobs catch these (and any std::exception) on the worker thread and turn them
// into a failed job with the message; nothing crosses a thread uncaught.
#pragma once
#include <stdexcept>
#include <string>

namespace latentshop {

// A user-facing failure: bad input file, wrong model kind, bad parameter.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Thrown by JobContext::throwIfCancelled(); the job ends in state Cancelled, not Failed.
class JobCancelled : public std::exception {
public:
  const char* what() const noexcept override { return "cancelled"; }
};

// "path: problem" — the standard shape of a file error message.
inline Error fileError(const std::string& path, const std::string& problem) {
  return Error(path + ": " + problem);
}

}  // namespace latentshop
