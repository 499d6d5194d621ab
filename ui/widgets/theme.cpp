#include "ui/widgets/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace latentshop::ui {

QString themeName(Theme theme) {
  switch (theme) {
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::Light: return QStringLiteral("light");
    case Theme::System: return QStringLiteral("system");
  }
  return QStringLiteral("dark");
}

Theme themeFromName(const QString& name) {
  if (name == QLatin1String("light")) return Theme::Light;
  if (name == QLatin1String("system")) return Theme::System;
  return Theme::Dark;
}

namespace {

QPalette darkPalette() {
  QPalette p;
  const QColor window(45, 47, 51), base(31, 32, 35), text(226, 228, 232), button(56, 59, 64);
  const QColor highlight(64, 128, 238), disabledText(120, 123, 128);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, QColor(40, 42, 46));
  p.setColor(QPalette::ToolTipBase, QColor(25, 26, 28));
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(140, 143, 148));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, button);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, QColor(255, 90, 90));
  p.setColor(QPalette::Light, QColor(78, 81, 87));
  p.setColor(QPalette::Midlight, QColor(66, 69, 74));
  p.setColor(QPalette::Mid, QColor(40, 42, 45));
  p.setColor(QPalette::Dark, QColor(28, 29, 31));
  p.setColor(QPalette::Shadow, QColor(10, 10, 10));
  p.setColor(QPalette::Highlight, highlight);
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, QColor(110, 165, 255));
  p.setColor(QPalette::LinkVisited, QColor(170, 140, 255));
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    p.setColor(QPalette::Disabled, role, disabledText);
  p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(70, 74, 80));
  p.setColor(QPalette::Disabled, QPalette::Button, QColor(50, 52, 56));
  return p;
}

}  // namespace

void applyTheme(Theme theme) {
  static const QString platformStyle = QApplication::style() ? QApplication::style()->name() : QString();
  if (theme == Theme::System) {
    if (!platformStyle.isEmpty()) QApplication::setStyle(QStyleFactory::create(platformStyle));
    QApplication::setPalette(QApplication::style()->standardPalette());
    return;
  }
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  QApplication::setPalette(theme == Theme::Dark ? darkPalette() : QApplication::style()->standardPalette());
}

}  // namespace latentshop::ui
