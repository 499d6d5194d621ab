// Conversion between the GUI's document (ui/document/document.h) and engine/io's Project
// (engine/io/project.h), which the ORA reader/writer, the PSD writer and the exports work on.
//
// Document -> Project: the original becomes the bottom layer (id DocumentInfo::originalId, kind
// image), each layer a ProjectLayer with id "layer-<LayerId>" and every field (name, pixels,
// offset, visibility, opacity, blend mode, kind, parameters, mask, drag points); the working
// mask, drag points, selected layer, model, source path and selection go to the metadata; pending
// results are listed in meta.extra["pending_layers"], which only this converter reads.
// Project -> Document does the reverse, so Document -> .ora -> Document gives back the same
// document. A project whose bottom layer cannot serve as the original (offset, hidden, translucent,
// smaller than the canvas; e.g. an ORA from another editor) opens over a transparent original with
// every layer kept as a layer.
//
// Pixels: Project layers are RGBA straight alpha (CV_8UC4), layers here ARGB32 straight; both
// conversions are one pass per pixel and can run on any thread (nothing here touches a Document).
// Drag points are stored as float (engine DragPoint), so doubles round to float precision.
#pragma once
#include <QImage>
#include <QJsonObject>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "engine/io/project.h"
#include "ui/document/document.h"

namespace latentshop::ui {

inline constexpr const char* kPendingLayersKey = "pending_layers";  // in ProjectMetadata::extra

latentshop::Project projectFromContent(const DocumentContent& content);
// Throws latentshop::Error (validateProject's message) for an invalid project.
DocumentContent contentFromProject(const latentshop::Project& project);

// "layer-<id>" and back (0 when `id` is not of that form).
std::string projectLayerId(LayerId id);
LayerId layerIdFromProject(const std::string& id);

// Pixel conversions. ARGB32 / RGB32 / any other QImage -> CV_8UC4 RGBA straight alpha.
cv::Mat rgbaFromImage(const QImage& image);
// CV_8UC4 RGBA -> Format_ARGB32, or Format_RGB32 when `opaqueAsRgb32` and every alpha is 255.
QImage imageFromRgba(const cv::Mat& rgba, bool opaqueAsRgb32 = false);
cv::Mat grayFromImage(const QImage& image);  // -> CV_8UC1
QImage imageFromGray(const cv::Mat& gray);   // CV_8UC1 -> Format_Grayscale8

// JSON conversions that keep integers integers (a seed stays 42, not 42.0).
nlohmann::json toNlohmann(const QJsonObject& object);
QJsonObject toQJson(const nlohmann::json& object);  // non-objects give {}

}  // namespace latentshop::ui
