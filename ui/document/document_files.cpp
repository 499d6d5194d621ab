#include "ui/document/document_files.h"

#include <algorithm>
#include <climits>
#include <exception>

#include <QBuffer>
#include <QFileInfo>
#include <QImageReader>

#include "engine/io/decode_policy.h"
#include "engine/io/layer_export.h"
#include "engine/io/ora_reader.h"
#include "engine/io/ora_writer.h"
#include "engine/io/project.h"
#include "ui/document/project_convert.h"

namespace latentshop::ui {

namespace {

QString what(const std::exception& e) { return QString::fromStdString(e.what()); }

LoadedDocument failed(const QString& error) {
  LoadedDocument d;
  d.error = error;
  return d;
}

}  // namespace

bool isProjectPath(const QString& path) { return QFileInfo(path).suffix().compare(QLatin1String("ora"), Qt::CaseInsensitive) == 0; }

QString imageSizeProblem(const QString& path, const QSize& size) {
  const std::string budget = latentshop::pixelBudgetProblem(path.toStdString(), size.width(), size.height());
  if (!budget.empty()) return QString::fromStdString(budget);
  if (size.width() > latentshop::kMaxProjectSide || size.height() > latentshop::kMaxProjectSide)
    return QObject::tr("%1: %2 \u00d7 %3 pixels: a side over %4 pixels cannot be edited")
        .arg(path)
        .arg(size.width())
        .arg(size.height())
        .arg(latentshop::kMaxProjectSide);
  return QString();
}

LoadedDocument loadDocumentFile(const QString& path) {
  const QFileInfo info(path);
  if (!info.exists()) return failed(QObject::tr("%1: no such file").arg(path));
  if (info.isDir()) return failed(QObject::tr("%1: is a folder, not an image").arg(path));
  if (isProjectPath(path)) {
    try {
      LoadedDocument d;
      d.content = contentFromProject(latentshop::loadOra(path.toStdString()));
      d.isProject = true;
      return d;
    } catch (const std::bad_alloc&) {
      return failed(QObject::tr("%1: not enough memory to open this project").arg(path));
    } catch (const std::exception& e) {
      return failed(what(e));
    }
  }

  // One decode policy with the CLI (engine/io/decode_policy.h): the file is read once, its header
  // checked against the pixel budget before anything is decoded, and a truncated file is opened
  // only with a warning that says what is missing (the main window asks the user first).
  latentshop::InspectedImage file;
  try {
    file = latentshop::inspectImageFile(path.toStdString());
  } catch (const std::bad_alloc&) {
    return failed(QObject::tr("%1: not enough memory to read this file").arg(path));
  } catch (const std::exception& e) {
    return failed(what(e));
  }
  if (file.probe.sizeKnown()) {
    const QString problem = imageSizeProblem(path, QSize(int(std::min<std::int64_t>(file.probe.width, INT_MAX)),
                                                         int(std::min<std::int64_t>(file.probe.height, INT_MAX))));
    if (!problem.isEmpty()) return failed(problem);
  }
  const qint64 budget = latentshop::decodePolicy().maxPixels;
  QImageReader::setAllocationLimit(int(std::min<qint64>((budget * 4) >> 20, INT_MAX - 64)) + 64);
  QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(file.bytes.data()), qsizetype(file.bytes.size()));
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::ReadOnly);
  QImageReader reader(&buffer);
  reader.setAutoTransform(true);  // EXIF orientation, as cameras expect
  const QSize size = reader.size();
  if (size.isValid()) {
    const QString problem = imageSizeProblem(path, size);
    if (!problem.isEmpty()) return failed(problem);
  }
  QImage image = reader.read();
  if (image.isNull()) return failed(QObject::tr("%1: not an image Latentshop can read (%2)").arg(path, reader.errorString()));
  const QString problem = imageSizeProblem(path, image.size());
  if (!problem.isEmpty()) return failed(problem);
  // The document's formats, converted here rather than on the GUI thread.
  image = image.hasAlphaChannel() ? image.convertToFormat(QImage::Format_ARGB32) : image.convertToFormat(QImage::Format_RGB32);
  if (image.isNull()) return failed(QObject::tr("%1: not enough memory to open this image").arg(path));
  LoadedDocument d;
  if (!file.probe.incomplete.empty())
    d.warning = QObject::tr("%1: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(file.probe.incomplete));
  d.content.original = image;
  d.content.info.sourcePath = info.absoluteFilePath();
  return d;
}

QString saveProjectFile(const DocumentContent& content, const QString& path) {
  try {
    latentshop::saveOra(projectFromContent(content), path.toStdString());
    return QString();
  } catch (const std::bad_alloc&) {
    return QObject::tr("%1: not enough memory to save the project").arg(path);
  } catch (const std::exception& e) {
    return what(e);
  }
}

QString exportDocumentFile(const DocumentContent& content, const QString& path, const latentshop::ExportOptions& options,
                           QStringList* written) {
  try {
    const auto files = latentshop::exportProject(projectFromContent(content), path.toStdString(), options);
    if (written) {
      written->clear();
      for (const auto& f : files) written->push_back(QString::fromStdString(f));
    }
    return QString();
  } catch (const std::bad_alloc&) {
    return QObject::tr("%1: not enough memory to export").arg(path);
  } catch (const std::exception& e) {
    return what(e);
  }
}

}  // namespace latentshop::ui
