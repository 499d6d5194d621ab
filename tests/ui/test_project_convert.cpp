// The document <-> Project converter (ui/document/project_convert.h) through real .ora files:
// every layer field (name, pixels, offset, visibility, opacity, blend mode, kind, parameters, mask,
// drag points, pending), the original's id/name/parameters, the working mask and points, the
// selected layer, model, source path, selection and extra metadata come back exactly; a CLI
// project keeps its layer ids; an ORA whose bottom layer cannot be the original opens over a
// transparent one; integer parameters stay integers; pixel conversions are exact.
#include <QtTest/QtTest>
#include <QJsonArray>

#include "engine/io/ora_reader.h"
#include "engine/io/ora_writer.h"
#include "engine/io/project_edit.h"
#include "engine/test_project_fixtures.h"
#include "support/test_paths.h"
#include "ui/document/document.h"
#include "ui/document/document_files.h"
#include "ui/document/mask_image.h"
#include "ui/document/project_convert.h"

using namespace latentshop;
using namespace latentshop::ui;

namespace {

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + QLatin1Char('/') + name; }

QImage randomArgb(int w, int h, unsigned seed) { return imageFromRgba(lstest::randomImage(h, w, CV_8UC4, seed)); }

QImage randomGray(int w, int h, unsigned seed) { return imageFromGray(lstest::randomImage(h, w, CV_8UC1, seed)); }

// A document content using every field.
DocumentContent richContent() {
  DocumentContent c;
  c.original = imageFromRgba(toRgba(lstest::randomImage(48, 64, CV_8UC3, 11)), true);
  c.info.originalName = QStringLiteral("Photo \u00e9t\u00e9");
  c.info.originalParams = QJsonObject{{QStringLiteral("camera"), QStringLiteral("X100")}};
  c.info.model = QStringLiteral("sd-1.5-inpainting");
  c.info.sourcePath = QStringLiteral("/photos/barn.jpg");
  c.info.selection = QRect(2, 3, 40, 30);
  c.info.extra = QJsonObject{{QStringLiteral("zoom"), 1.5}, {QStringLiteral("inpaint_method"), QStringLiteral("classical.ns")}};

  Layer result;
  result.id = 3;
  result.name = QStringLiteral("Inpaint <1> & \"quotes\"");
  result.kind = ui::LayerKind::Result;
  result.image = randomArgb(30, 20, 12);
  result.offset = QPoint(10, 8);
  result.opacity = 0.6;
  result.params = QJsonObject{{QStringLiteral("method"), QStringLiteral("classical.telea")},
                              {QStringLiteral("seed"), qint64(1234567890123)},
                              {QStringLiteral("grow_px"), 3},
                              {QStringLiteral("guidance_scale"), 7.5},
                              {QStringLiteral("image_size"), QJsonArray{64, 48}},
                              {QStringLiteral("nested"), QJsonObject{{QStringLiteral("ok"), true}}}};
  result.mask = randomGray(64, 48, 13);
  result.points = {{QPointF(1.5, 2.25), QPointF(10, 20)}, {QPointF(-3, 0.125), QPointF(63, 47)}};
  Layer mask;
  mask.id = 7;
  mask.name = QStringLiteral("Mask");
  mask.kind = ui::LayerKind::Mask;
  mask.visible = false;
  mask.mask = randomGray(64, 48, 14);
  mask.image = mask.mask.convertToFormat(QImage::Format_ARGB32);
  Layer notes;
  notes.id = 4;
  notes.name = QStringLiteral("Notes");
  notes.kind = ui::LayerKind::Annotation;
  notes.image = randomArgb(20, 10, 15);
  notes.offset = QPoint(-5, -3);
  notes.opacity = 0.25;
  notes.compositeOp = QStringLiteral("svg:multiply");  // kept as read, composited as normal
  notes.points = {{QPointF(5, 5), QPointF(6, 7)}};
  Layer pending;
  pending.id = 9;
  pending.name = QStringLiteral("Pending result");
  pending.kind = ui::LayerKind::Result;
  pending.pending = true;
  pending.image = randomArgb(8, 8, 16);
  pending.offset = QPoint(30, 30);
  Layer empty;
  empty.id = 12;
  empty.name = QStringLiteral("Empty");
  c.layers = {result, mask, notes, pending, empty};
  c.mask = randomGray(64, 48, 17);
  c.workingPoints = {{QPointF(3, 4), QPointF(5.5, 6.5)}};
  c.activeLayer = 4;
  return c;
}

// Field-by-field comparison; "" when equal.
QString difference(const DocumentContent& a, const DocumentContent& b) {
  if (a.original != b.original) return QStringLiteral("original pixels or format");
  if (a.layers.size() != b.layers.size()) return QStringLiteral("layer count");
  for (int i = 0; i < a.layers.size(); ++i) {
    const Layer& x = a.layers[i];
    const Layer& y = b.layers[i];
    const QString at = QStringLiteral("layer %1 '%2': ").arg(i).arg(x.name);
    if (x.id != y.id) return at + QStringLiteral("id %1 vs %2").arg(x.id).arg(y.id);
    if (x.name != y.name) return at + QStringLiteral("name");
    if (x.kind != y.kind) return at + QStringLiteral("kind");
    if (x.image != y.image) return at + QStringLiteral("pixels");
    if (x.offset != y.offset) return at + QStringLiteral("offset");
    if (x.visible != y.visible) return at + QStringLiteral("visibility");
    if (x.opacity != y.opacity) return at + QStringLiteral("opacity");
    if (x.compositeOp != y.compositeOp) return at + QStringLiteral("composite-op");
    if (x.pending != y.pending) return at + QStringLiteral("pending");
    if (x.params != y.params) return at + QStringLiteral("params");
    if (x.mask != y.mask) return at + QStringLiteral("mask");
    if (x.points != y.points) return at + QStringLiteral("points");
  }
  if (a.mask != b.mask) return QStringLiteral("working mask");
  if (a.workingPoints != b.workingPoints) return QStringLiteral("working points");
  if (a.activeLayer != b.activeLayer) return QStringLiteral("active layer %1 vs %2").arg(a.activeLayer).arg(b.activeLayer);
  const DocumentInfo& p = a.info;
  const DocumentInfo& q = b.info;
  if (p.originalId != q.originalId || p.originalName != q.originalName || p.originalParams != q.originalParams)
    return QStringLiteral("original's id/name/params");
  if (p.model != q.model || p.sourcePath != q.sourcePath || p.selection != q.selection) return QStringLiteral("metadata");
  if (p.extra != q.extra) return QStringLiteral("extra");
  return QString();
}

}  // namespace

class TestProjectConvert : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void pixelConversionsAreExact() {
    const cv::Mat rgba = lstest::randomImage(7, 9, CV_8UC4, 1);
    const QImage argb = imageFromRgba(rgba);
    QCOMPARE(argb.format(), QImage::Format_ARGB32);
    const QColor c = argb.pixelColor(3, 2);
    const cv::Vec4b v = rgba.at<cv::Vec4b>(2, 3);
    QCOMPARE(c.red(), int(v[0]));
    QCOMPARE(c.green(), int(v[1]));
    QCOMPARE(c.blue(), int(v[2]));
    QCOMPARE(c.alpha(), int(v[3]));
    QCOMPARE(lstest::maxAbsDiff(rgbaFromImage(argb), rgba), 0);
    // Opaque pixels can come back as RGB32, and RGB32 goes out with alpha 255.
    const cv::Mat opaque = toRgba(lstest::randomImage(5, 6, CV_8UC3, 2));
    const QImage rgb32 = imageFromRgba(opaque, true);
    QCOMPARE(rgb32.format(), QImage::Format_RGB32);
    QCOMPARE(lstest::maxAbsDiff(rgbaFromImage(rgb32), opaque), 0);
    QCOMPARE(imageFromRgba(rgba, true).format(), QImage::Format_ARGB32);  // not opaque: stays ARGB32
    const cv::Mat gray = lstest::randomImage(4, 5, CV_8UC1, 3);
    QCOMPARE(lstest::maxAbsDiff(grayFromImage(imageFromGray(gray)), gray), 0);
    // Other QImage formats are converted.
    QImage rgb888(3, 2, QImage::Format_RGB888);
    rgb888.fill(QColor(10, 20, 30));
    QCOMPARE(rgbaFromImage(rgb888).at<cv::Vec4b>(1, 2), cv::Vec4b(10, 20, 30, 255));
  }

  void jsonKeepsIntegers() {
    const QJsonObject q{{QStringLiteral("seed"), qint64(9007199254740993)}, {QStringLiteral("cfg"), 7.5},
                        {QStringLiteral("steps"), 30}, {QStringLiteral("list"), QJsonArray{1, 2.5, QStringLiteral("x")}}};
    const nlohmann::json j = toNlohmann(q);
    QVERIFY(j["seed"].is_number_integer());
    QCOMPARE(j["seed"].get<std::int64_t>(), std::int64_t(9007199254740993));
    QVERIFY(j["steps"].is_number_integer());
    QVERIFY(j["cfg"].is_number_float());
    QVERIFY(j["list"][0].is_number_integer());
    QCOMPARE(toQJson(j), q);
    QCOMPARE(toQJson(nlohmann::json::array()), QJsonObject());
  }

  void layerIds() {
    QCOMPARE(projectLayerId(12), std::string("layer-12"));
    QCOMPARE(layerIdFromProject("layer-12"), 12);
    QCOMPARE(layerIdFromProject("layer-012"), 0);
    QCOMPARE(layerIdFromProject("result-7"), 0);
    QCOMPARE(layerIdFromProject("layer-"), 0);
    QCOMPARE(layerIdFromProject("layer-1x"), 0);
  }

  void everyFieldSurvivesAnOraFile() {
    const DocumentContent content = richContent();
    const QString path = scratch(QStringLiteral("rich.ora"));
    QCOMPARE(saveProjectFile(content, path), QString());
    const LoadedDocument loaded = loadDocumentFile(path);
    QVERIFY2(loaded.error.isEmpty(), qPrintable(loaded.error));
    QVERIFY(loaded.isProject);
    QCOMPARE(difference(content, loaded.content), QString());
    // And the engine agrees the two projects are the same.
    QCOMPARE(describeProjectDifference(projectFromContent(content), projectFromContent(loaded.content)), std::string());
    // Pending results are listed for Latentshop only; other readers see an ordinary layer.
    const Project p = loadOra(path.toStdString());
    QCOMPARE(p.meta.extra[kPendingLayersKey], nlohmann::json::array({"layer-9"}));
    QCOMPARE(p.layers.front().id, std::string("original"));
    QCOMPARE(p.meta.activeLayerId, std::string("layer-4"));
  }

  void throughADocument() {
    // Document::reset(content) + snapshot() keep everything too.
    const DocumentContent content = richContent();
    Document doc;
    doc.reset(content, QStringLiteral("/x/rich.ora"));
    QCOMPARE(difference(content, doc.snapshot()), QString());
    QCOMPARE(doc.activeLayer(), 4);
    QCOMPARE(doc.workingPoints().size(), 1);
    QCOMPARE(doc.info().model, QStringLiteral("sd-1.5-inpainting"));
    // An empty mask is saved as none and comes back empty.
    doc.clearMask();
    QVERIFY(doc.snapshot().mask.isNull());
    const DocumentContent back = contentFromProject(projectFromContent(doc.snapshot()));
    QVERIFY(back.mask.isNull());
  }

  void engineFixtureRoundTrips() {
    // The engine's sample project: ids that are not "layer-N" are renumbered once; after that a
    // save/reopen cycle is exact.
    const Project sample = lstest::sampleProject();
    const DocumentContent first = contentFromProject(sample);
    QCOMPARE(first.info.originalName, QStringLiteral("Original photo"));
    QCOMPARE(first.layers.size(), qsizetype(sample.layers.size() - 1));
    QCOMPARE(first.layers[0].name, QString::fromStdString(sample.layers[1].name));
    QCOMPARE(first.activeLayer, first.layers[0].id);  // "result-7" was active
    QCOMPARE(first.layers[0].points.size(), 2);
    QCOMPARE(first.layers[0].points[0].handle, QPointF(1.5, 2.25));
    QVERIFY(first.layers[3].image.isNull());  // the 0x0 layer
    QCOMPARE(first.info.selection, QRect(2, 3, 40, 30));
    const QString path = scratch(QStringLiteral("fixture.ora"));
    QCOMPARE(saveProjectFile(first, path), QString());
    const DocumentContent second = loadDocumentFile(path).content;
    QCOMPARE(difference(first, second), QString());
    // Pixels, params and masks equal the engine's own.
    const Project again = projectFromContent(second);
    for (size_t i = 0; i < sample.layers.size(); ++i) {
      QCOMPARE(lstest::maxAbsDiff(again.layers[i].rgba, sample.layers[i].rgba), 0);
      QCOMPARE(lstest::maxAbsDiff(again.layers[i].mask, sample.layers[i].mask), 0);
      QVERIFY(again.layers[i].params == sample.layers[i].params);
    }
  }

  void cliProjectKeepsItsIds() {
    EditRecord edit;
    edit.original = lstest::randomImage(32, 40, CV_8UC3, 21);
    edit.result = lstest::randomImage(10, 12, CV_8UC4, 22);
    edit.placement = cv::Rect(5, 6, 12, 10);
    edit.mask = lstest::randomImage(32, 40, CV_8UC1, 23);
    edit.params = {{"method", "classical.telea"}, {"grow_px", 4}};
    edit.sourcePath = "/in.png";
    const Project project = projectFromEdit(edit);
    const DocumentContent c = contentFromProject(project);
    QCOMPARE(describeProjectDifference(projectFromContent(c), project), std::string());
    QCOMPARE(c.layers.size(), 2);
    QCOMPARE(c.layers[0].kind, ui::LayerKind::Mask);
    QVERIFY(!c.layers[0].visible);
    QCOMPARE(c.layers[1].kind, ui::LayerKind::Result);
    QCOMPARE(c.layers[1].offset, QPoint(5, 6));
    QCOMPARE(c.layers[1].params.value(QStringLiteral("grow_px")).toInt(), 4);
    QCOMPARE(c.activeLayer, c.layers[1].id);
    QCOMPARE(grayFromImage(c.mask).total(), edit.mask.total());
  }

  void foreignBottomLayerIsKeptAsALayer() {
    // An ORA from another editor whose bottom layer is offset and translucent: it cannot be the
    // original, so the document opens over a transparent canvas and keeps every layer as it was.
    Project p;
    p.width = 40;
    p.height = 30;
    ProjectLayer bottom;
    bottom.id = "layer-1";
    bottom.name = "Background";
    bottom.rgba = lstest::randomImage(20, 20, CV_8UC4, 31);
    bottom.x = 3;
    bottom.y = 4;
    bottom.opacity = 0.5;
    p.layers.push_back(bottom);
    ProjectLayer top;
    top.id = "layer-2";
    top.name = "Top";
    top.rgba = lstest::randomImage(30, 40, CV_8UC4, 32);
    p.layers.push_back(top);
    p.meta.originalLayerId = "layer-1";
    const QString path = scratch(QStringLiteral("foreign.ora"));
    saveOra(p, path.toStdString());
    const LoadedDocument loaded = loadDocumentFile(path);
    QVERIFY2(loaded.error.isEmpty(), qPrintable(loaded.error));
    const DocumentContent& c = loaded.content;
    QVERIFY(c.info.originalId.isEmpty());
    QCOMPARE(c.original.size(), QSize(40, 30));
    QCOMPARE(qAlpha(c.original.pixel(0, 0)), 0);
    QCOMPARE(c.layers.size(), 2);
    QCOMPARE(c.layers[0].offset, QPoint(3, 4));
    QCOMPARE(c.layers[0].opacity, 0.5);
    // Saved again: the same two layers, no invented original.
    const Project back = projectFromContent(c);
    QCOMPARE(back.layers.size(), size_t(2));
    QVERIFY(back.meta.originalLayerId.empty());
    QCOMPARE(lstest::maxAbsDiff(back.layers[0].rgba, bottom.rgba), 0);
    // Something merged into the transparent original makes it a layer of its own.
    DocumentContent merged = c;
    merged.original.setPixel(0, 0, qRgba(1, 2, 3, 255));
    QCOMPARE(projectFromContent(merged).layers.size(), size_t(3));
  }

  void originalIdNeverClashes() {
    DocumentContent c;
    c.original = QImage(8, 8, QImage::Format_RGB32);
    c.original.fill(Qt::gray);
    c.info.originalId = QStringLiteral("layer-1");  // a foreign file's id ...
    Layer l;
    l.id = 1;  // ... and a new layer that took number 1
    l.image = QImage(2, 2, QImage::Format_ARGB32);
    l.image.fill(Qt::red);
    c.layers = {l};
    const Project p = projectFromContent(c);
    validateProject(p);
    QVERIFY(p.layers[0].id != p.layers[1].id);
  }

  void badProjectsFailWithTheFileName() {
    const QString missing = scratch(QStringLiteral("missing.ora"));
    LoadedDocument d = loadDocumentFile(missing);
    QVERIFY(d.error.contains(QStringLiteral("missing.ora")) && d.error.contains(QStringLiteral("no such file")));
    QFile f(scratch(QStringLiteral("text.ora")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a zip");
    f.close();
    d = loadDocumentFile(f.fileName());
    QVERIFY2(d.error.contains(QStringLiteral("text.ora")), qPrintable(d.error));
    QVERIFY(d.content.original.isNull() && d.content.layers.isEmpty());
  }
};

QTEST_MAIN(TestProjectConvert)
#include "test_project_convert.moc"
