// The settings a model folder recommends for itself: an optional `latentshop.json` beside
// `model_index.json`, e.g. {"guidance_scale": 4.0, "image_guidance_scale": 1.5}. The editor and the
// CLI start from these instead of Stable Diffusion's usual values (7.5 / 1.5) when the user has not
// set their own. The built-in demo models carry one: a 2-level UNet's classifier-free guidance
// overshoots the tiny VAE's latent range well before 7.5 (tests/engine/test_demo_models.cpp).
// Torch-free: the UI reads it too.
#pragma once
#include <optional>
#include <string>

namespace latentshop {

struct ModelDefaults {
  std::optional<double> guidanceScale;       // guidance_scale (text guidance for InstructPix2Pix)
  std::optional<double> imageGuidanceScale;  // image_guidance_scale (InstructPix2Pix)
  std::string source;                        // the file they came from ("" when none)
};

// The file's name inside a model folder.
inline constexpr const char* kModelDefaultsFile = "latentshop.json";

// A diffusers folder's latentshop.json; nothing for a single-file checkpoint or a folder without
// one. Throws Error naming the file for unreadable JSON, an unknown key or a value that is not a
// number in [0, 50].
ModelDefaults readModelDefaults(const std::string& modelPath);

// The same, for callers that must not fail over it (the GUI): a bad file gives no defaults, and
// `problem` (when given) receives the error text.
ModelDefaults readModelDefaultsOrNone(const std::string& modelPath, std::string* problem = nullptr);

}  // namespace latentshop
