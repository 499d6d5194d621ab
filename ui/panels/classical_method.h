// The classical (model-free) inpaint methods in the inpaint panel: OpenCV Telea and
// Navier–Stokes (engine/pipelines/classical_inpaint.h), with mask grow, feather and radius options.
#pragma once
#include "engine/pipelines/classical_inpaint.h"
#include "ui/panels/inpaint_method.h"

class QSpinBox;

namespace latentshop::ui {

class ClassicalMethod : public InpaintMethod {
  Q_OBJECT
public:
  explicit ClassicalMethod(latentshop::ClassicalInpaintMethod method, QObject* parent = nullptr);

  QString id() const override;
  QString displayName() const override;
  QString description() const override;
  QWidget* createOptionsWidget(QWidget* parent) override;
  JobSpec makeJob(const InpaintInput& input) override;
  void saveSettings(QSettings& settings) const override;
  void loadSettings(QSettings& settings) override;

  // The request the current options describe (image and mask left empty).
  ClassicalInpaintRequest options() const;
  void setOptions(int growPx, int featherPx, double radius);
  // PatchMatch: copy only from within `px` of the hole's box; 0 = the whole image.
  void setSourceMargin(int px);
  int sourceMargin() const { return sourceMargin_; }

private:
  latentshop::ClassicalInpaintMethod method_;
  int grow_ = 4;
  int feather_ = 6;
  int radius_ = 5;
  int sourceMargin_ = 0;  // PatchMatch: 0 = copy from the whole image
  QSpinBox* growBox_ = nullptr;
  QSpinBox* sourceBox_ = nullptr;
  QSpinBox* featherBox_ = nullptr;
  QSpinBox* radiusBox_ = nullptr;
};

}  // namespace latentshop::ui
