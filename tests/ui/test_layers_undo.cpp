// Every layer operation of the document is one undo step, and undo/redo restore the document bit
// for bit: the composite, each layer's pixels, name, order, visibility, opacity, kind, parameters,
// pending state, the original, the mask, the working points and the selected layer. Covers select,
// show/hide, opacity, rename, reorder, duplicate, delete, merge down (into a layer and into the
// original), apply/discard results, replacing a pending result, working drag points; then the whole
// history undone to the start and redone to the end.
#include <QtTest/QtTest>
#include <QUndoStack>

#include "ui/document/document.h"
#include "ui/document/mask_image.h"

using namespace latentshop::ui;

namespace {

QImage gradient(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.setPixel(x, y, qRgb(x * 255 / w, y * 255 / h, (x * 7 + y * 3) % 256));
  return img;
}

QImage blob(int w, int h, QColor c, int alpha) {
  QImage img(w, h, QImage::Format_ARGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.setPixel(x, y, qRgba(c.red(), c.green(), (c.blue() + x * 9) % 256, (alpha + y * 13) % 256));
  return img;
}

// Everything observable about a document.
struct State {
  QImage composite;
  QImage original;
  QImage mask;
  QList<Layer> layers;
  QList<DragPair> points;
  LayerId active = 0;

  static State of(const Document& d) {
    return State{d.render(), d.original().copy(), d.mask().copy(), d.layers(), d.workingPoints(), d.activeLayer()};
  }
  QString differenceFrom(const State& o) const {
    if (composite != o.composite) return QStringLiteral("composite");
    if (original != o.original) return QStringLiteral("original");
    if (mask != o.mask) return QStringLiteral("mask");
    if (points != o.points) return QStringLiteral("working points");
    if (active != o.active) return QStringLiteral("active layer %1 vs %2").arg(active).arg(o.active);
    if (layers.size() != o.layers.size()) return QStringLiteral("layer count %1 vs %2").arg(layers.size()).arg(o.layers.size());
    for (int i = 0; i < layers.size(); ++i) {
      const Layer& a = layers[i];
      const Layer& b = o.layers[i];
      const QString at = QStringLiteral("layer %1: ").arg(i);
      if (a.id != b.id) return at + QStringLiteral("id / order");
      if (a.name != b.name) return at + QStringLiteral("name");
      if (a.image != b.image) return at + QStringLiteral("pixels");
      if (a.offset != b.offset || a.visible != b.visible || a.opacity != b.opacity || a.kind != b.kind ||
          a.pending != b.pending || a.params != b.params || a.mask != b.mask || a.points != b.points)
        return at + QStringLiteral("properties");
    }
    return QString();
  }
};

}  // namespace

class TestLayersUndo : public QObject {
  Q_OBJECT
private:
  Document* doc_ = nullptr;
  LayerId a_ = 0, b_ = 0, c_ = 0;

  // Runs `op`, checks it is exactly one undo step, and that undo/redo restore both states.
  void checkUndoable(const char* what, const std::function<void()>& op, int steps = 1) {
    QUndoStack* stack = doc_->undoStack();
    const State before = State::of(*doc_);
    const int index = stack->index();
    op();
    QVERIFY2(stack->index() == index + steps, what);
    const State after = State::of(*doc_);
    QVERIFY2(!after.differenceFrom(before).isEmpty(), qPrintable(QStringLiteral("%1 changed nothing").arg(QLatin1String(what))));
    for (int i = 0; i < steps; ++i) stack->undo();
    QVERIFY2(State::of(*doc_).differenceFrom(before).isEmpty(),
             qPrintable(QStringLiteral("%1: undo: %2").arg(QLatin1String(what), State::of(*doc_).differenceFrom(before))));
    for (int i = 0; i < steps; ++i) stack->redo();
    QVERIFY2(State::of(*doc_).differenceFrom(after).isEmpty(),
             qPrintable(QStringLiteral("%1: redo: %2").arg(QLatin1String(what), State::of(*doc_).differenceFrom(after))));
  }

private Q_SLOTS:
  void init() {
    doc_ = new Document;
    doc_->reset(gradient(64, 48), QStringLiteral("/tmp/layers-undo.png"));
    Layer l;
    l.kind = LayerKind::Image;
    l.name = QStringLiteral("A");
    l.image = blob(40, 30, QColor(200, 30, 30), 90);
    l.offset = QPoint(4, 5);
    a_ = doc_->addLayer(l);
    l.name = QStringLiteral("B");
    l.image = blob(30, 30, QColor(20, 200, 30), 160);
    l.offset = QPoint(20, 10);
    l.opacity = 0.7;
    b_ = doc_->addLayer(l);
    l.name = QStringLiteral("C");
    l.kind = LayerKind::Result;
    l.image = blob(16, 12, QColor(20, 30, 220), 200);
    l.offset = QPoint(-4, 30);  // partly outside the canvas
    l.opacity = 1.0;
    l.params = QJsonObject{{QStringLiteral("method"), QStringLiteral("classical.ns")}};
    c_ = doc_->addLayer(l);
    doc_->undoStack()->clear();
  }

  void cleanup() {
    delete doc_;
    doc_ = nullptr;
  }

  void select() {
    // Clicking through layers is one step, and coming back to where it started is none.
    QCOMPARE(doc_->activeLayer(), c_);  // the last layer added
    doc_->selectLayer(b_);
    doc_->selectLayer(a_);
    QCOMPARE(doc_->undoStack()->index(), 1);
    QVERIFY(doc_->isModified());
    doc_->selectLayer(c_);
    QCOMPARE(doc_->undoStack()->count(), 0);
    QVERIFY(!doc_->isModified());
    checkUndoable("select", [&] { doc_->selectLayer(a_); });
    QCOMPARE(doc_->activeLayer(), a_);
    doc_->renameLayer(a_, QStringLiteral("A2"));  // another step in between: the next select is new
    checkUndoable("select the original", [&] { doc_->selectLayer(0); });
    QCOMPARE(doc_->activeLayer(), 0);
  }

  void showHide() {
    checkUndoable("hide", [&] { doc_->setLayerVisible(b_, false); });
    checkUndoable("show", [&] { doc_->setLayerVisible(b_, true); });
  }

  void opacity() {
    checkUndoable("opacity", [&] {
      doc_->setLayerOpacity(a_, 0.9);
      doc_->setLayerOpacity(a_, 0.35);  // a slider drag: one step
    });
    QCOMPARE(doc_->layer(a_)->opacity, 0.35);
  }

  void rename() {
    checkUndoable("rename", [&] { doc_->renameLayer(c_, QStringLiteral("Sky fix \u2713")); });
    QCOMPARE(doc_->layer(c_)->name, QStringLiteral("Sky fix \u2713"));
  }

  void reorder() {
    checkUndoable("move to the top", [&] { doc_->moveLayer(a_, 2); });
    QCOMPARE(doc_->layerAt(2).id, a_);
    checkUndoable("move to the bottom", [&] { doc_->moveLayer(c_, 0); });
    QCOMPARE(doc_->layerAt(0).id, c_);
  }

  void duplicate() {
    LayerId copy = 0;
    checkUndoable("duplicate", [&] { copy = doc_->duplicateLayer(b_); });
    QCOMPARE(doc_->layerCount(), 4);
    QCOMPARE(doc_->indexOf(copy), doc_->indexOf(b_) + 1);
    QCOMPARE(doc_->layer(copy)->name, QStringLiteral("B copy"));
    QCOMPARE(doc_->layer(copy)->image, doc_->layer(b_)->image);
    QCOMPARE(doc_->activeLayer(), copy);
  }

  void deleteLayers() {
    checkUndoable("delete an unselected layer", [&] { doc_->removeLayer(a_); });
    QCOMPARE(doc_->activeLayer(), c_);
    checkUndoable("delete the selected layer", [&] { doc_->removeLayer(c_); });
    QCOMPARE(doc_->activeLayer(), b_);  // the selection moves to the layer below
  }

  void mergeDownIntoALayer() {
    const QImage before = doc_->render();
    LayerId into = -1;
    checkUndoable("merge down", [&] { into = doc_->mergeDown(b_); });
    QCOMPARE(into, a_);
    QCOMPARE(doc_->layerCount(), 2);
    const Layer* merged = doc_->layer(a_);
    QCOMPARE(merged->name, QStringLiteral("A"));
    QCOMPARE(merged->opacity, 1.0);
    QCOMPARE(merged->bounds(), QRect(4, 5, 40, 30) | QRect(20, 10, 30, 30));
    // The picture is the same (to 8-bit rounding of the pre-composited pair).
    const QImage after = doc_->render();
    int worst = 0;
    for (int y = 0; y < after.height(); ++y)
      for (int x = 0; x < after.width(); ++x) {
        const QRgb p = after.pixel(x, y), q = before.pixel(x, y);
        worst = std::max({worst, std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)), std::abs(qBlue(p) - qBlue(q))});
      }
    QVERIFY2(worst <= 2, qPrintable(QString::number(worst)));
    // Parameters of the merged layer are kept.
    checkUndoable("merge a result down", [&] { into = doc_->mergeDown(c_); });
    QCOMPARE(doc_->layer(a_)->params.value(QStringLiteral("merged_layers")).toArray().size(), 1);
  }

  void mergeDownIntoTheOriginal() {
    const QImage before = doc_->render();
    LayerId into = -1;
    checkUndoable("merge into the original", [&] { into = doc_->mergeDown(a_); });
    QCOMPARE(into, 0);
    QCOMPARE(doc_->layerCount(), 2);
    QCOMPARE(doc_->render(), before);  // the same compositing: exact
    QVERIFY(doc_->original() != gradient(64, 48));
  }

  void mergeDownIsRefusedWhenItWouldChangeThePicture() {
    doc_->setLayerVisible(a_, false);
    QVERIFY(!doc_->mergeDownBlocker(b_).isEmpty());
    QCOMPARE(doc_->mergeDown(b_), -1);
    QVERIFY(!doc_->mergeDownBlocker(a_).isEmpty());
    const LayerId p = doc_->addPendingResult(blob(4, 4, Qt::white, 255), QPoint(1, 1), QStringLiteral("R"), {});
    QVERIFY(doc_->mergeDownBlocker(p).contains(QStringLiteral("Apply")));
    QVERIFY(!doc_->mergeDownBlocker(999).isEmpty());
  }

  void applyAndDiscardResults() {
    LayerId r = 0;
    checkUndoable("add a pending result", [&] {
      r = doc_->addPendingResult(blob(10, 10, Qt::yellow, 255), QPoint(3, 3), QStringLiteral("R1"),
                                 QJsonObject{{QStringLiteral("seed"), 1}}, emptyMask(doc_->size()));
    });
    QCOMPARE(doc_->activeLayer(), r);
    checkUndoable("replace the pending result", [&] {
      r = doc_->addPendingResult(blob(10, 10, Qt::cyan, 255), QPoint(3, 3), QStringLiteral("R2"), {});
    });
    QCOMPARE(doc_->layerCount(), 4);
    checkUndoable("apply", [&] { doc_->applyResult(r); });
    QVERIFY(!doc_->layer(r)->pending);
    r = doc_->addPendingResult(blob(6, 6, Qt::magenta, 255), QPoint(0, 0), QStringLiteral("R3"), {});
    checkUndoable("discard", [&] { doc_->discardResult(r); });
    QVERIFY(!doc_->hasPendingResult());
  }

  void workingPoints() {
    const QList<DragPair> points{{QPointF(1, 2), QPointF(3, 4)}, {QPointF(10.5, 11), QPointF(12, 13.25)}};
    checkUndoable("place drag points", [&] { doc_->setWorkingPoints(points, QStringLiteral("Place points")); });
    QCOMPARE(doc_->workingPoints(), points);
    checkUndoable("clear drag points", [&] { doc_->setWorkingPoints({}, QStringLiteral("Clear points")); });
  }

  void wholeHistoryUndoesAndRedoes() {
    QList<State> states{State::of(*doc_)};
    const auto step = [&](const std::function<void()>& op) {
      op();
      states.push_back(State::of(*doc_));
    };
    step([&] { doc_->selectLayer(b_); });
    step([&] { doc_->setLayerOpacity(b_, 0.3); });
    step([&] { doc_->renameLayer(b_, QStringLiteral("Bee")); });
    step([&] { doc_->moveLayer(b_, 0); });
    LayerId copy = 0;
    step([&] { copy = doc_->duplicateLayer(c_); });
    step([&] { doc_->setLayerVisible(a_, false); });
    step([&] { doc_->mergeDown(copy); });
    step([&] { doc_->removeLayer(b_); });
    step([&] { doc_->growMask(2); });  // nothing to grow: no step
    states.removeLast();
    step([&] {
      QImage m = emptyMask(doc_->size());
      m.fill(7);
      doc_->replaceMask(m, QStringLiteral("mask"));
    });
    step([&] { doc_->setLayerVisible(a_, true); });
    step([&] { QCOMPARE(doc_->mergeDown(doc_->layerAt(doc_->layerCount() - 1).id), a_); });
    QUndoStack* stack = doc_->undoStack();
    QCOMPARE(stack->index(), int(states.size()) - 1);
    for (int i = int(states.size()) - 1; i > 0; --i) {
      stack->undo();
      QVERIFY2(State::of(*doc_).differenceFrom(states[i - 1]).isEmpty(),
               qPrintable(QStringLiteral("undo to %1: %2").arg(i - 1).arg(State::of(*doc_).differenceFrom(states[i - 1]))));
    }
    QVERIFY(!doc_->isModified());
    for (int i = 1; i < states.size(); ++i) {
      stack->redo();
      QVERIFY2(State::of(*doc_).differenceFrom(states[i]).isEmpty(), qPrintable(QStringLiteral("redo to %1").arg(i)));
    }
  }

  void modifiedAndRevision() {
    QVERIFY(!doc_->isModified());
    QSignalSpy modified(doc_, &Document::modifiedChanged);
    const quint64 r0 = doc_->revision();
    doc_->setLayerVisible(a_, false);
    QVERIFY(doc_->isModified());
    QVERIFY(doc_->revision() > r0);
    doc_->markClean();
    QVERIFY(!doc_->isModified());
    doc_->markModified();  // a restored recovery file: modified with no undo step
    QVERIFY(doc_->isModified());
    doc_->undoStack()->undo();
    doc_->undoStack()->redo();
    QVERIFY(doc_->isModified());
    doc_->markClean();
    QVERIFY(!doc_->isModified());
    QCOMPARE(modified.count(), 4);
  }
};

QTEST_MAIN(TestLayersUndo)
#include "test_layers_undo.moc"
