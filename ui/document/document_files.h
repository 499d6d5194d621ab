// Documents as files: opening images (QImageReader, EXIF orientation, a size limit) and
// Latentshop/OpenRaster projects (engine/io/ora_reader.h), saving projects (ora_writer.h), and
// exports (engine/io/layer_export.h: flattened PNG/JPEG/WebP with the `parameters` chunk on PNG, a
// layered PSD, a folder of PNG layers, an ORA copy). Every function blocks and touches no Document:
// the main window runs them on a worker thread (ui/document/background_tasks.h) with a snapshot
// (Document::snapshot()), so the UI never waits on a codec or the disk.
#pragma once
#include <QSize>
#include <QString>
#include <QStringList>

#include "engine/io/layer_export.h"
#include "ui/document/document.h"

namespace latentshop::ui {

// Whether `path` names a project (".ora", any case).
bool isProjectPath(const QString& path);

// Why an image of `size` cannot be opened ("" when it can): over the decode policy's pixel budget
// (engine/io/decode_policy.h: 250 MP by default, about 1 GB as 32-bit pixels plus the same again
// for the canvas pyramid), or a side over the project format's 65535.
QString imageSizeProblem(const QString& path, const QSize& size);

struct LoadedDocument {
  DocumentContent content;
  bool isProject = false;
  QString error;  // "<path>: <what is wrong>"; content is empty then
  // Opened, but the file is damaged: "<name>: truncated: ... (part of the picture is missing)".
  // The main window asks whether to open it anyway; it is never opened silently.
  QString warning;
};

// Reads an image (any QImageReader format) or a project. All-or-nothing: on any fault `error` says
// what and nothing else is filled in.
LoadedDocument loadDocumentFile(const QString& path);

// Writes `content` as a Latentshop project (atomic: the previous file survives any failure).
// Returns "" or the error ("<path>: ...").
QString saveProjectFile(const DocumentContent& content, const QString& path);

// Exports `content` to `path` (format from the path: engine/io/layer_export.h's exportFormatFor).
// Returns "" or the error; `written` receives the files written.
QString exportDocumentFile(const DocumentContent& content, const QString& path,
                           const latentshop::ExportOptions& options = {}, QStringList* written = nullptr);

}  // namespace latentshop::ui
