#include "ui/panels/brush_panel.h"

#include <cmath>

#include <QButtonGroup>
#include <QCheckBox>
#include <QColorDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/tools/mask_brush_tool.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

namespace {
constexpr int kSizeSteps = 1000;
// Logarithmic slider: equal slider moves change the size by equal ratios.
int sizeToSlider(double size) {
  const double t = std::log(size / BrushSettings::kMinSize) / std::log(BrushSettings::kMaxSize / BrushSettings::kMinSize);
  return int(std::lround(t * kSizeSteps));
}
double sliderToSize(int v) {
  return std::round(BrushSettings::kMinSize *
                    std::pow(BrushSettings::kMaxSize / BrushSettings::kMinSize, double(v) / kSizeSteps));
}

QToolButton* toolButton(QWidget* parent, IconId icon, const QString& text, const QString& tip) {
  auto* b = new QToolButton(parent);
  b->setIcon(themedIcon(icon));
  b->setText(text);
  b->setToolTip(tip);
  b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  return b;
}
}  // namespace

BrushPanel::BrushPanel(MaskBrushTool* tool, QWidget* parent) : QWidget(parent), tool_(tool) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(10);

  // Brush.
  auto* brushBox = new QGroupBox(tr("Brush"), this);
  auto* brushForm = new QFormLayout(brushBox);
  brushForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  auto* modeRow = new QHBoxLayout;
  paint_ = toolButton(brushBox, IconId::Brush, tr("Paint"), tr("Paint the mask (B)"));
  erase_ = toolButton(brushBox, IconId::Eraser, tr("Erase"), tr("Erase the mask (E toggles; right-drag erases too)"));
  paint_->setCheckable(true);
  erase_->setCheckable(true);
  auto* modes = new QButtonGroup(this);
  modes->addButton(paint_);
  modes->addButton(erase_);
  modeRow->addWidget(paint_);
  modeRow->addWidget(erase_);
  brushForm->addRow(modeRow);
  // What the brush paints: the hole to fill, or the keep-out region content-aware removal never
  // copies from (another object, a face, text).
  auto* targetRow = new QHBoxLayout;
  holeTarget_ = toolButton(brushBox, IconId::Brush, tr("Hole"), tr("Paint the region to fill"));
  keepOutTarget_ = toolButton(brushBox, IconId::Eye, tr("Keep out"),
                              tr("Paint what Remove (content-aware) must never copy from, e.g. another object (K)"));
  holeTarget_->setCheckable(true);
  keepOutTarget_->setCheckable(true);
  auto* targets = new QButtonGroup(this);
  targets->addButton(holeTarget_);
  targets->addButton(keepOutTarget_);
  targetRow->addWidget(holeTarget_);
  targetRow->addWidget(keepOutTarget_);
  brushForm->addRow(tr("Paints"), targetRow);

  sizeSlider_ = new QSlider(Qt::Horizontal, brushBox);
  sizeSlider_->setRange(0, kSizeSteps);
  size_ = new QSpinBox(brushBox);
  size_->setRange(int(BrushSettings::kMinSize), int(BrushSettings::kMaxSize));
  size_->setSuffix(tr(" px"));
  size_->setToolTip(tr("Brush diameter in image pixels ([ and ] change it)"));
  auto* sizeRow = new QHBoxLayout;
  sizeRow->addWidget(sizeSlider_, 1);
  sizeRow->addWidget(size_);
  brushForm->addRow(tr("Size"), sizeRow);

  hardnessSlider_ = new QSlider(Qt::Horizontal, brushBox);
  hardnessSlider_->setRange(0, 100);
  hardness_ = new QSpinBox(brushBox);
  hardness_->setRange(0, 100);
  hardness_->setSuffix(tr(" %"));
  hardness_->setToolTip(tr("100 %: hard edge; lower values give a soft, feathered edge"));
  auto* hardRow = new QHBoxLayout;
  hardRow->addWidget(hardnessSlider_, 1);
  hardRow->addWidget(hardness_);
  brushForm->addRow(tr("Hardness"), hardRow);
  layout->addWidget(brushBox);

  // Mask.
  auto* maskBox = new QGroupBox(tr("Mask"), this);
  auto* maskForm = new QFormLayout(maskBox);
  maskForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  colorButton_ = new QToolButton(maskBox);
  colorButton_->setToolTip(tr("Overlay colour"));
  opacity_ = new QSlider(Qt::Horizontal, maskBox);
  opacity_->setRange(0, 100);
  opacity_->setToolTip(tr("Overlay opacity"));
  visible_ = new QCheckBox(tr("Show"), maskBox);
  visible_->setChecked(true);
  visible_->setToolTip(tr("Show the mask overlay (H)"));
  auto* overlayRow = new QHBoxLayout;
  overlayRow->addWidget(colorButton_);
  overlayRow->addWidget(opacity_, 1);
  overlayRow->addWidget(visible_);
  maskForm->addRow(tr("Overlay"), overlayRow);

  auto* cmdRow = new QHBoxLayout;
  auto* invert = toolButton(maskBox, IconId::Invert, tr("Invert"), tr("Invert the mask (Ctrl+I)"));
  auto* clear = toolButton(maskBox, IconId::Clear, tr("Clear"), tr("Clear the mask (Ctrl+D)"));
  cmdRow->addWidget(invert);
  cmdRow->addWidget(clear);
  maskForm->addRow(cmdRow);
  auto* clearKeepOut = toolButton(maskBox, IconId::Clear, tr("Clear keep-out"), tr("Clear the keep-out region (green)"));
  maskForm->addRow(clearKeepOut);

  grow_ = new QSpinBox(maskBox);
  grow_->setRange(1, 256);
  grow_->setValue(8);
  grow_->setSuffix(tr(" px"));
  auto* growBtn = toolButton(maskBox, IconId::Grow, tr("Grow"), tr("Grow the mask by this many pixels"));
  auto* shrinkBtn = toolButton(maskBox, IconId::Shrink, tr("Shrink"), tr("Shrink the mask by this many pixels"));
  auto* growRow = new QHBoxLayout;
  growRow->addWidget(grow_);
  growRow->addWidget(growBtn);
  growRow->addWidget(shrinkBtn);
  maskForm->addRow(growRow);
  layout->addWidget(maskBox);
  layout->addStretch(1);

  // Wiring.
  connect(sizeSlider_, &QSlider::valueChanged, this, [this](int v) {
    if (!updating_) tool_->setSize(sliderToSize(v));
  });
  connect(size_, &QSpinBox::valueChanged, this, [this](int v) {
    if (!updating_) tool_->setSize(v);
  });
  connect(hardnessSlider_, &QSlider::valueChanged, this, [this](int v) {
    if (!updating_) tool_->setHardness(v / 100.0);
  });
  connect(hardness_, &QSpinBox::valueChanged, this, [this](int v) {
    if (!updating_) tool_->setHardness(v / 100.0);
  });
  connect(paint_, &QToolButton::toggled, this, [this](bool on) {
    if (on && !updating_) tool_->setErase(false);
  });
  connect(erase_, &QToolButton::toggled, this, [this](bool on) {
    if (on && !updating_) tool_->setErase(true);
  });
  connect(holeTarget_, &QToolButton::toggled, this, [this](bool on) {
    if (on && !updating_) tool_->setKeepOut(false);
  });
  connect(keepOutTarget_, &QToolButton::toggled, this, [this](bool on) {
    if (on && !updating_) tool_->setKeepOut(true);
  });
  connect(clearKeepOut, &QToolButton::clicked, this, &BrushPanel::clearKeepOutRequested);
  connect(tool_, &MaskBrushTool::settingsChanged, this, &BrushPanel::showSettings);
  connect(colorButton_, &QToolButton::clicked, this, [this] {
    const QColor c = QColorDialog::getColor(color_, this, tr("Mask overlay colour"));
    if (!c.isValid()) return;
    color_ = c;
    updateColorButton();
    Q_EMIT maskStyleChanged(color_, maskOpacity());
  });
  connect(opacity_, &QSlider::valueChanged, this, [this] {
    if (!updating_) Q_EMIT maskStyleChanged(color_, maskOpacity());
  });
  connect(visible_, &QCheckBox::toggled, this, &BrushPanel::maskVisibleChanged);
  connect(invert, &QToolButton::clicked, this, &BrushPanel::invertRequested);
  connect(clear, &QToolButton::clicked, this, &BrushPanel::clearRequested);
  connect(growBtn, &QToolButton::clicked, this, [this] { Q_EMIT growRequested(grow_->value()); });
  connect(shrinkBtn, &QToolButton::clicked, this, [this] { Q_EMIT growRequested(-grow_->value()); });

  showSettings(tool_->settings());
  setMaskStyle(color_, 0.5);
}

void BrushPanel::showSettings(const BrushSettings& s) {
  updating_ = true;
  sizeSlider_->setValue(sizeToSlider(s.size));
  size_->setValue(int(std::lround(s.size)));
  hardnessSlider_->setValue(int(std::lround(s.hardness * 100)));
  hardness_->setValue(int(std::lround(s.hardness * 100)));
  paint_->setChecked(!s.erase);
  erase_->setChecked(s.erase);
  holeTarget_->setChecked(!s.keepOut);
  keepOutTarget_->setChecked(s.keepOut);
  updating_ = false;
}

void BrushPanel::setMaskStyle(const QColor& color, double opacity) {
  updating_ = true;
  color_ = color;
  opacity_->setValue(int(std::lround(opacity * 100)));
  updating_ = false;
  updateColorButton();
}

double BrushPanel::maskOpacity() const { return opacity_->value() / 100.0; }

void BrushPanel::setMaskVisible(bool visible) {
  const QSignalBlocker block(visible_);
  visible_->setChecked(visible);
}

int BrushPanel::growAmount() const { return grow_->value(); }
void BrushPanel::setGrowAmount(int px) { grow_->setValue(px); }

void BrushPanel::updateColorButton() {
  QPixmap swatch(32, 32);
  swatch.fill(Qt::transparent);
  QPainter p(&swatch);
  p.setRenderHint(QPainter::Antialiasing);
  p.setPen(QPen(palette().color(QPalette::WindowText), 1.5));
  p.setBrush(color_);
  p.drawRoundedRect(QRectF(3, 3, 26, 26), 5, 5);
  p.end();
  colorButton_->setIcon(QIcon(swatch));
}

}  // namespace latentshop::ui
