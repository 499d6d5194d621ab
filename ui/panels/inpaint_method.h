// One way of filling a masked region, as offered by the inpaint panel's method selector. The
// panel shows each method's own options widget and asks the current method for an engine job when
// the user presses Run; the main window submits it through the engine bridge and turns the result
// into a pending result layer.
//
// Adding a method (e.g. SD inpainting, issue 4): subclass, build the options widget in
// createOptionsWidget() (keep pointers to its controls), turn the controls into a request in
// makeJob(), report unavailableReason() while something is missing (no model chosen yet) and emit
// availabilityChanged() when that changes, then register it once at start-up:
//     inpaintPanel->addMethod(new MyMethod(...));
// The result's JobResult.image/placement/params become the layer; params are stored with it.
#pragma once
#include <QObject>
#include <QString>

#include <opencv2/core.hpp>

#include "engine/runtime/job.h"

class QSettings;
class QWidget;

namespace latentshop::ui {

// What an inpaint method works on, converted from the document by the main window.
struct InpaintInput {
  cv::Mat image;         // CV_8UC3 RGB, full document size: the original with the applied layers
  cv::Mat mask;          // CV_8UC1, document size, 0..255 (soft brush edges kept)
  cv::Mat keepOut;       // CV_8UC1, document size, > 127 never copied from; empty when none painted
  QString documentPath;  // for messages and parameters; may be empty
};

class InpaintMethod : public QObject {
  Q_OBJECT
public:
  explicit InpaintMethod(QObject* parent = nullptr) : QObject(parent) {}
  ~InpaintMethod() override = default;

  virtual QString id() const = 0;           // stable, stored in settings: "classical.telea"
  virtual QString displayName() const = 0;  // in the selector: "Telea (fast marching)"
  virtual QString description() const { return QString(); }  // one line under the selector
  // Builds the options page (called once; the panel owns the widget).
  virtual QWidget* createOptionsWidget(QWidget* parent) = 0;
  virtual bool needsMask() const { return true; }
  // Non-empty while the method cannot run (shown as the Run button's hint), e.g. "Choose a model".
  virtual QString unavailableReason() const { return QString(); }
  // The job for `input`; its callbacks are filled in by the engine bridge. May throw
  // latentshop::Error with a message for the user (bad option values).
  virtual JobSpec makeJob(const InpaintInput& input) = 0;
  // Variations (a batch of candidates with consecutive seeds): how many the user asked for, and
  // the job of variation `index` >= 1 after makeJob() made variation 0 (same input and options,
  // the seed makeJob() used + index). Methods without a seed make one.
  virtual int variationCount() const { return 1; }
  virtual JobSpec makeVariationJob(const InpaintInput& input, int index) { return makeJob(input); }
  // Options persistence; the panel has already opened the group "inpaint/<id>".
  virtual void saveSettings(QSettings& settings) const {}
  virtual void loadSettings(QSettings& settings) {}

Q_SIGNALS:
  void availabilityChanged();
};

}  // namespace latentshop::ui
