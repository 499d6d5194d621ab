// Reading and writing flat images for the engine and the CLI, with errors that name the file and
// the problem ("photo.jpg: no such file", "notes.txt: not an image OpenCV can read (...)",
// "mask.png: size 640x480 differs from the image photo.jpg (800x600)"). OpenCV imgcodecs; no Qt.
// Layered project files (ORA/PSD) live in engine/io/project*.
#pragma once
#include <string>

#include <opencv2/core.hpp>

namespace latentshop {

// Reads an 8-bit image as RGB (CV_8UC3, RGB order), applying EXIF orientation. Throws Error for a
// missing file, a directory, an unreadable or non-image file. 16-bit images are scaled to 8 bits;
// an alpha channel is dropped (composited over nothing: the colour values are kept).
cv::Mat readImageRgb(const std::string& path);

// Reads a mask as CV_8UC1 (255 = edit). A grey or colour image is converted to grey (luma); an
// image with a non-trivial alpha channel uses the alpha (a transparent PNG painted where to edit).
cv::Mat readMask(const std::string& path);

// readMask() plus a check that the mask's size equals `imageSize`; the error names both files and
// both sizes.
cv::Mat readMaskFor(const std::string& maskPath, const cv::Size& imageSize, const std::string& imagePath);

// Writes an RGB (CV_8UC3), RGBA (CV_8UC4) or grey (CV_8UC1) image; the format follows the
// extension (.png, .jpg/.jpeg with quality 95, .webp, .bmp, .tif/.tiff). Encoded in memory and
// written through the atomic writer (engine/io/project_atomic_file.h), so `path` may be the input
// image: on any failure the previous file is untouched. Throws Error for an unknown extension, a
// missing folder, or a failed write (naming the file and the cause: disk full, size limit, ...).
void writeImage(const std::string& path, const cv::Mat& image);

// writeImage() for a BGR / BGRA image in OpenCV's channel order (training samples, plots).
void writeBgrImage(const std::string& path, const cv::Mat& bgr);

// True when `path`'s extension is one writeImage supports.
bool isWritableImagePath(const std::string& path);

}  // namespace latentshop
