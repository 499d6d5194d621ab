// Edit parameters carried in PNG text chunks, so a result can be reproduced from the file alone.
// Two chunks, both written by png_text_codec (tEXt when ASCII, else iTXt):
//   "parameters"  the AUTOMATIC1111 infotext other SD tools read and show (A1111's
//                 modules/infotext_utils.py parse_generation_parameters is the reference format):
//                     <prompt>
//                     Negative prompt: <negative prompt>
//                     Steps: 30, Sampler: DDIM, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: sd-1.5-inpainting, ...
//   "latentshop"  Latentshop's own JSON: {"latentshop": "<version>", "params": {...}, "layers": [...]}
//                 ("layers" only in flattened exports: id, name, kind and params of every layer).
//
// Parameter keys understood when writing the A1111 text (first match wins; the rest of the scalar
// keys follow as "key: value"): prompt | instruction; negative_prompt | negativePrompt; steps |
// num_inference_steps; guidance_scale | guidance | cfg_scale; image_guidance_scale |
// image_guidance; seed; scheduler | sampler; width + height | size ([w, h], "WxH" or {width,
// height}); model; strength; method.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/io/png_text_codec.h"

namespace latentshop {

inline constexpr const char* kPngParametersKey = "parameters";
inline constexpr const char* kPngLatentshopKey = "latentshop";

// The A1111 infotext for `params` ("" when params holds nothing to say).
std::string formatA1111Parameters(const nlohmann::json& params);

// Parses A1111 infotext into {"prompt": ..., "negative_prompt": ..., "<Key>": "<value>", ...}
// (values as the text has them, unquoted; keys as written, e.g. "Steps", "CFG scale").
nlohmann::json parseA1111Parameters(const std::string& text);

// The text chunks for a PNG export: "parameters" (when there is anything to say) and "latentshop".
// `layers` (may be null) is the per-layer list a flattened export adds.
std::vector<PngText> parameterTextChunks(const nlohmann::json& params,
                                         const nlohmann::json& layers = nullptr);

struct PngParameters {
  std::string a1111;          // the "parameters" chunk as written ("" when absent)
  nlohmann::json latentshop;  // the parsed "latentshop" chunk (null when absent)
  // The edit parameters: latentshop["params"] when present, else the parsed A1111 text, else {}.
  nlohmann::json params = nlohmann::json::object();
};

// Reads both chunks from a PNG file. Throws Error for a file that is not a readable PNG or whose
// "latentshop" chunk is not valid JSON.
PngParameters readPngParameters(const std::string& path);
PngParameters parametersFromText(const std::vector<PngText>& text, const std::string& what);

}  // namespace latentshop
