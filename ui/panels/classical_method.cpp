#include "ui/panels/classical_method.h"

#include <algorithm>

#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>
#include <QWidget>

namespace latentshop::ui {

ClassicalMethod::ClassicalMethod(latentshop::ClassicalInpaintMethod method, QObject* parent)
    : InpaintMethod(parent), method_(method) {}

QString ClassicalMethod::id() const { return QStringLiteral("classical.") + QString::fromLatin1(toString(method_)); }

QString ClassicalMethod::displayName() const {
  switch (method_) {
    case latentshop::ClassicalInpaintMethod::PatchMatch: return tr("Remove (content-aware)");
    case latentshop::ClassicalInpaintMethod::Telea: return tr("Classical \u2013 Telea (fast marching)");
    case latentshop::ClassicalInpaintMethod::ShiftMap: return tr("Classical \u2013 Shift-map (OpenCV)");
    case latentshop::ClassicalInpaintMethod::Fsr: return tr("Classical \u2013 FSR (OpenCV)");
    case latentshop::ClassicalInpaintMethod::NavierStokes: break;
  }
  return tr("Classical \u2013 Navier\u2013Stokes");
}

QString ClassicalMethod::description() const {
  switch (method_) {
    case latentshop::ClassicalInpaintMethod::PatchMatch:
      return tr("Removes what you paint over and fills the hole with texture copied from the rest of the photo "
                "(PatchMatch). No model needed.");
    case latentshop::ClassicalInpaintMethod::Telea:
      return tr("Fills small defects (scratches, dust, wires) from the surrounding pixels. No model needed.");
    case latentshop::ClassicalInpaintMethod::ShiftMap:
      return tr("Copies the image's dominant patch offsets into the hole (He & Sun 2012). No model needed.");
    case latentshop::ClassicalInpaintMethod::Fsr:
      return tr("Extrapolates the surrounding frequencies into the hole (Genser et al. 2018). No model needed.");
    case latentshop::ClassicalInpaintMethod::NavierStokes: break;
  }
  return tr("Continues edges and shading into the hole by fluid-like diffusion. No model needed.");
}

QWidget* ClassicalMethod::createOptionsWidget(QWidget* parent) {
  auto* w = new QWidget(parent);
  auto* form = new QFormLayout(w);
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

  growBox_ = new QSpinBox(w);
  growBox_->setRange(-64, 128);
  growBox_->setSuffix(tr(" px"));
  growBox_->setToolTip(tr("Grow (or, negative, shrink) the mask before filling, so the fill starts from clean pixels"));
  featherBox_ = new QSpinBox(w);
  featherBox_->setRange(0, 128);
  featherBox_->setSuffix(tr(" px"));
  featherBox_->setToolTip(tr("Width of the soft edge that blends the fill into the photo outside the mask"));
  radiusBox_ = new QSpinBox(w);
  radiusBox_->setRange(1, 64);
  radiusBox_->setSuffix(tr(" px"));
  radiusBox_->setToolTip(tr("How far around each pixel the algorithm looks for known pixels"));
  growBox_->setValue(grow_);
  featherBox_->setValue(feather_);
  radiusBox_->setValue(radius_);
  connect(growBox_, &QSpinBox::valueChanged, this, [this](int v) { grow_ = v; });
  connect(featherBox_, &QSpinBox::valueChanged, this, [this](int v) { feather_ = v; });
  connect(radiusBox_, &QSpinBox::valueChanged, this, [this](int v) { radius_ = v; });
  form->addRow(tr("Grow mask"), growBox_);
  form->addRow(tr("Feather"), featherBox_);
  if (method_ != latentshop::ClassicalInpaintMethod::PatchMatch) {
    form->addRow(tr("Radius"), radiusBox_);
  } else {
    radiusBox_->hide();  // cv::inpaint's radius; PatchMatch copies whole patches
    sourceBox_ = new QSpinBox(w);
    sourceBox_->setRange(0, 5000);
    sourceBox_->setSingleStep(50);
    sourceBox_->setSpecialValueText(tr("the whole image"));
    sourceBox_->setPrefix(tr("within "));
    sourceBox_->setSuffix(tr(" px of the hole"));
    sourceBox_->setToolTip(tr("Where the fill may copy texture from: the whole photo, or only near the hole "
                              "(faster on large photos; nothing from far away). Paint a keep-out region (K) to "
                              "exclude something specific."));
    sourceBox_->setValue(sourceMargin_);
    connect(sourceBox_, &QSpinBox::valueChanged, this, [this](int v) { sourceMargin_ = v; });
    form->addRow(tr("Copy from"), sourceBox_);
  }
  return w;
}

ClassicalInpaintRequest ClassicalMethod::options() const {
  ClassicalInpaintRequest r;
  r.method = method_;
  r.growPx = grow_;
  r.featherPx = feather_;
  r.radius = radius_;
  if (method_ == ClassicalInpaintMethod::PatchMatch) r.sourceMarginPx = sourceMargin_;
  return r;
}

void ClassicalMethod::setSourceMargin(int px) {
  sourceMargin_ = std::max(0, px);
  if (sourceBox_) sourceBox_->setValue(sourceMargin_);
}

void ClassicalMethod::setOptions(int growPx, int featherPx, double radius) {
  grow_ = growPx;
  feather_ = featherPx;
  radius_ = int(radius);
  if (growBox_) growBox_->setValue(grow_);
  if (featherBox_) featherBox_->setValue(feather_);
  if (radiusBox_) radiusBox_->setValue(radius_);
}

JobSpec ClassicalMethod::makeJob(const InpaintInput& input) {
  ClassicalInpaintRequest r = options();
  r.image = input.image;
  r.mask = input.mask;
  // Only PatchMatch copies from the photo; the keep-out region means nothing to the others.
  if (method_ == ClassicalInpaintMethod::PatchMatch) r.keepOut = input.keepOut;
  return makeClassicalInpaintJob(std::move(r));
}

void ClassicalMethod::saveSettings(QSettings& s) const {
  s.setValue(QStringLiteral("grow"), grow_);
  s.setValue(QStringLiteral("feather"), feather_);
  s.setValue(QStringLiteral("radius"), radius_);
  if (method_ == ClassicalInpaintMethod::PatchMatch) s.setValue(QStringLiteral("source_margin"), sourceMargin_);
}

void ClassicalMethod::loadSettings(QSettings& s) {
  setOptions(s.value(QStringLiteral("grow"), grow_).toInt(), s.value(QStringLiteral("feather"), feather_).toInt(),
             s.value(QStringLiteral("radius"), radius_).toInt());
  if (method_ == ClassicalInpaintMethod::PatchMatch) setSourceMargin(s.value(QStringLiteral("source_margin"), 0).toInt());
}

}  // namespace latentshop::ui
