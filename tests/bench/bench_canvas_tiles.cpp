// LATENTSHOP_BENCH_QT
// The canvas on a large photo: how long opening takes (decode on a worker, then the document and
// canvas set-up on the GUI thread), and frame times while zooming and panning, with the tile cache
// (ui/canvas/canvas_cache.h) against drawing the pyramid level straight to the screen for every
// frame (what the canvas did before tiles). Also the cache's memory and the process's peak RSS.
//
// Usage: bench_canvas_tiles [width height [viewport_w viewport_h]]   (default 8000 6000 1600 1000)
// Runs offscreen (QT_QPA_PLATFORM=offscreen if unset): the backing store is a QImage in memory, so
// the figures are the raster painting cost without a compositor or GPU upload.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QImageWriter>
#include <QPainter>

#include "engine/core/cpu_info.h"
#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/document/document_files.h"

using namespace latentshop::ui;

namespace {

long statusKb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + key.size());
  return -1;
}

QImage pattern(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y) {
    auto* row = reinterpret_cast<QRgb*>(img.scanLine(y));
    for (int x = 0; x < w; ++x)
      row[x] = (x % 97 == 0 || y % 89 == 0) ? qRgb(255, 255, 255)
                                            : qRgb((x * 255) / w, (y * 255) / h, ((x / 13 + y / 11) * 37) % 256);
  }
  return img;
}

struct Stats {
  double mean = 0, p95 = 0, max = 0;
};

Stats stats(std::vector<double> ms) {
  Stats s;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  for (double v : ms) s.mean += v;
  s.mean /= double(ms.size());
  s.p95 = ms[std::min(ms.size() - 1, size_t(std::ceil(ms.size() * 0.95)) - 1)];
  s.max = ms.back();
  return s;
}

double msSince(const QElapsedTimer& t) { return t.nsecsElapsed() / 1e6; }

// The pre-tile way: every frame draws the visible part of the pyramid level scaled to the screen
// (then the same for the mask overlay's ARGB pyramid when there is one).
void drawLevel(QPainter& p, MipImage& mip, const ViewTransform& view, const QImage& screen) {
  const int k = mip.levelFor(view.zoom());
  const QImage& level = mip.level(k);
  const QSize base = mip.constBase().size();
  const double s = double(base.width()) / level.width();
  const QRectF visible = QRectF(view.deviceToImage(QPointF(0, 0)), view.deviceToImage(QPointF(screen.width(), screen.height()))) &
                         QRectF(QPointF(0, 0), QSizeF(base));
  const QRect src = QRect(QPoint(int(std::floor(visible.left() / s)), int(std::floor(visible.top() / s))),
                          QPoint(int(std::ceil(visible.right() / s)), int(std::ceil(visible.bottom() / s)))) &
                    level.rect();
  if (!src.isEmpty()) p.drawImage(view.imageToDevice(QRectF(src.x() * s, src.y() * s, src.width() * s, src.height() * s)), level, QRectF(src));
}

double untiledFrame(MipImage& mip, MipImage* overlay, const ViewTransform& view, QImage& screen) {
  QElapsedTimer t;
  t.start();
  QPainter p(&screen);
  p.fillRect(screen.rect(), QColor(40, 40, 40));
  p.setRenderHint(QPainter::SmoothPixmapTransform, view.zoom() < 1.0);
  drawLevel(p, mip, view, screen);
  if (overlay) drawLevel(p, *overlay, view, screen);
  p.end();
  return msSince(t);
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("machine: %s\n", latentshop::cpuInfo().describe().c_str());  // figures name their CPU
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  const int w = argc >= 3 ? std::atoi(argv[1]) : 8000;
  const int h = argc >= 3 ? std::atoi(argv[2]) : 6000;
  const int vw = argc >= 5 ? std::atoi(argv[3]) : 1600;
  const int vh = argc >= 5 ? std::atoi(argv[4]) : 1000;
  std::printf("bench_canvas_tiles: %dx%d photo (JPEG q90), viewport %dx%d, dpr 1, tile %d px, budget %lld MiB, QPA %s\n", w, h,
              vw, vh, TileCache::kTileSize, TileCache::kDefaultBudgetBytes >> 20, qPrintable(QGuiApplication::platformName()));

  const QString jpeg = QString::fromStdString(lstest::scratchDir()) + QStringLiteral("/bench.jpg");
  {
    QImageWriter writer(jpeg, "jpg");
    writer.setQuality(90);
    writer.write(pattern(w, h));
  }

  QElapsedTimer t;
  t.start();
  LoadedDocument loaded = loadDocumentFile(jpeg);
  const double decode = msSince(t);
  if (!loaded.error.isEmpty()) {
    std::printf("load failed: %s\n", qPrintable(loaded.error));
    return 1;
  }
  Document doc;
  Canvas canvas;
  canvas.resize(vw, vh);
  canvas.show();
  app.processEvents();
  t.restart();
  doc.reset(loaded.content, jpeg);
  canvas.setDocument(&doc);
  const double setup = msSince(t);
  loaded = LoadedDocument();
  t.restart();
  canvas.viewport()->repaint();
  const double firstPaint = msSince(t);
  std::printf("open: decode on a worker %.0f ms; document + canvas set-up on the GUI thread %.0f ms; first frame (fit, %.1f %%) %.0f ms\n",
              decode, setup, canvas.zoom() * 100, firstPaint);

  const auto frame = [&] {
    QElapsedTimer f;
    f.start();
    canvas.viewport()->repaint();
    return msSince(f);
  };
  // Zoom steps: first visit (tiles rendered) and revisit (cached).
  std::printf("\nzoom steps around the centre (ms per frame): first visit / revisit\n");
  const QPointF centre(vw / 2.0, vh / 2.0);
  const std::vector<double> zooms{0.125, 0.25, 0.33, 0.5, 1.0, 2.0};
  std::vector<double> cold, warm;
  for (double z : zooms) {
    canvas.zoomTo(z, centre);
    cold.push_back(frame());
  }
  for (double z : zooms) {
    canvas.zoomTo(z, centre);
    warm.push_back(frame());
  }
  for (size_t i = 0; i < zooms.size(); ++i) std::printf("  %5.1f %%: %7.1f / %5.1f\n", zooms[i] * 100, cold[i], warm[i]);

  // Pans: 60 frames of 24 px diagonal steps at several zooms, tiled vs untiled, without and with a
  // mask overlay (a disc over a fifth of the photo).
  MipImage mip;
  mip.reset(doc.original());
  QImage screen(vw, vh, QImage::Format_ARGB32_Premultiplied);
  MipImage overlay;
  const auto pans = [&](bool withMask) {
    std::printf("\npan%s, 60 frames of (24, 12) px, ms per frame: tiled mean / p95 / max  vs  untiled mean / p95 / max\n",
                withMask ? " with the mask overlay" : "");
    for (double z : {0.2, 0.33, 0.5, 1.0, 2.0}) {
      canvas.setView(ViewTransform(z, QPointF(-w * z * 0.3, -h * z * 0.3), 1.0));
      frame();
      ViewTransform v = canvas.view();
      untiledFrame(mip, withMask ? &overlay : nullptr, v, screen);  // pyramid levels built outside the timing
      std::vector<double> tiled, untiled;
      for (int i = 0; i < 60; ++i) {
        v.panBy(QPointF(-24, -12));
        canvas.setView(v);
        tiled.push_back(frame());
        untiled.push_back(untiledFrame(mip, withMask ? &overlay : nullptr, v, screen));
      }
      const Stats a = stats(tiled), b = stats(untiled);
      std::printf("  %5.1f %%: %6.2f / %6.2f / %6.2f   vs   %6.2f / %6.2f / %6.2f\n", z * 100, a.mean, a.p95, a.max, b.mean,
                  b.p95, b.max);
    }
  };
  pans(false);
  {
    QImage mask(w, h, QImage::Format_Grayscale8);
    mask.fill(0);
    QPainter p(&mask);
    p.setBrush(Qt::white);
    p.setPen(Qt::NoPen);
    p.drawEllipse(QPointF(w * 0.45, h * 0.45), w * 0.25, h * 0.25);
    p.end();
    doc.replaceMask(mask, QStringLiteral("Mask"));
    QImage argb(w, h, QImage::Format_ARGB32_Premultiplied);  // the old overlay: a coloured ARGB copy
    for (int y = 0; y < h; ++y) {
      const uchar* m = mask.constScanLine(y);
      auto* o = reinterpret_cast<QRgb*>(argb.scanLine(y));
      for (int x = 0; x < w; ++x) o[x] = m[x] ? qRgba(127, 20, 30, 127) : 0;
    }
    overlay.reset(argb);
  }
  pans(true);
  std::vector<double> idle;
  for (int i = 0; i < 30; ++i) idle.push_back(frame());
  std::printf("\nrepaint with nothing changed (100 %% zoom would be the same): mean %.2f ms\n", stats(idle).mean);

  const CanvasCache& cache = canvas.cache();
  std::printf("\ncache: %d tiles, %.0f MiB of tiles (budget %lld MiB), %lld tiles rendered in all; composite shares the photo: %s;\n"
              "       cache total %.0f MiB (pyramids, mask copy, tiles) for a %.0f MiB photo; peak RSS %.0f MiB\n",
              cache.tiles().count(), cache.tiles().bytes() / 1048576.0, cache.tiles().budget() >> 20,
              static_cast<long long>(cache.tiles().rendered()), cache.sharesOriginal() ? "yes" : "no",
              cache.memoryBytes() / 1048576.0, doc.original().sizeInBytes() / 1048576.0, statusKb("VmHWM") / 1024.0);
  return 0;
}
