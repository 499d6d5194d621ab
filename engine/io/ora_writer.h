// Writing a Project as an OpenRaster (.ora) file; the layout is in ora_format.h.
// Reference: OpenRaster 0.0.6 (openraster.org/baseline/file-layout-spec.html, layer-stack-spec.html).
//
// The file is written atomically (temporary file beside the target, fsync, rename, fsync of the
// folder): a crash or kill while saving leaves the previous file intact, which is what the GUI's
// autosave relies on. Layer PNGs are encoded one at a time while the archive is written, so peak
// memory is the project itself plus the flattened canvas plus one encoded layer.
//
// Threading: saveOra only reads the Project. The GUI may hand a copy to a worker thread; cv::Mat
// copies share pixels, so the document must not modify those pixel buffers in place while a save
// runs (replace a layer's Mat instead of drawing into it, or clone before saving).
#pragma once
#include <string>

#include "engine/io/project.h"

namespace latentshop {

struct OraWriteOptions {
  int pngCompression = 3;  // PNG level 0..9 (see PngEncodeOptions: 1-5 fast, 6-9 smaller and slower)
};

// Validates (validateProject) and writes `project` to `path`. Throws Error("<path>: ...") when the
// project is invalid or the file cannot be written; the target is then unchanged.
void saveOra(const Project& project, const std::string& path, const OraWriteOptions& options = {});

}  // namespace latentshop
