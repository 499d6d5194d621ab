// A Hugging Face Hub repository's file listing, as the Hub's tree API returns it
// (GET {endpoint}/api/models/{repo}/tree/{revision}?recursive=1: a JSON array of
// {"type": "file"|"directory", "path", "size", "oid", "lfs": {"oid": sha256, "size"}}), and the
// files of a manifest entry chosen from it (safetensors only, the fp16 variant where listed).
// Reference: huggingface_hub src/huggingface_hub/hf_api.py (list_repo_tree, RepoFile),
// src/huggingface_hub/constants.py (HF_ENDPOINT, resolve URLs).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/io/model_manifest.h"

namespace latentshop {

struct HubFile {
  std::string path;    // repository path, '/'-separated, e.g. "unet/config.json"
  uint64_t size = 0;   // bytes (the LFS size for LFS files)
  std::string sha256;  // lowercase hex for LFS files (lfs.oid); empty for small git files
};

// Directories are skipped; a path with "..", a leading '/', a backslash or an empty segment is
// refused (throws Error naming `source`), as is JSON that is not such an array.
std::vector<HubFile> parseHubTree(const std::string& json, const std::string& source);

// $HF_ENDPOINT when set, else https://huggingface.co; no trailing '/'.
std::string defaultHubEndpoint();
// {endpoint}/api/models/{repo}/tree/{revision}?recursive=1
std::string hubTreeUrl(const std::string& endpoint, const std::string& repo, const std::string& revision);
// The Hub paginates long tree listings (huggingface_hub's paginate(): the next page's URL is the
// Link header's rel="next" target, RFC 8288). Returns that URL from a Link header value, or "" when
// there is none. Parameters after the URL are matched case-insensitively; rel may list several types.
std::string hubNextPageUrl(const std::string& linkHeader);
// True when `url` has the same scheme, host and port as `endpoint` (a next page elsewhere is refused:
// the access token must not travel to another host).
bool sameOrigin(const std::string& url, const std::string& endpoint);

// {endpoint}/{repo}/resolve/{revision}/{path}, each path segment percent-encoded.
std::string hubFileUrl(const std::string& endpoint, const std::string& repo, const std::string& revision,
                       const std::string& path);

// The files of `model` in `listing`: every path matching one of its patterns, never a pickle
// (.bin .ckpt .pt .pth .pkl .msgpack .onnx); with a variant ("fp16"), `x.fp16.safetensors` is taken
// instead of `x.safetensors` when both exist, and `*.fp16.safetensors` files are skipped when the
// entry names no variant. Sorted by path. Throws Error when nothing matches, or when a matching
// weight file name would need a pickle ("repo has only diffusion_pytorch_model.bin").
std::vector<HubFile> selectModelFiles(const ManifestModel& model, const std::vector<HubFile>& listing);

}  // namespace latentshop
