// The application's look: Qt's Fusion style with a dark (default, as in most image editors: the
// photo is the brightest thing on screen) or light palette, or the platform's own.
#pragma once
#include <QString>

namespace latentshop::ui {

enum class Theme { Dark, Light, System };

QString themeName(Theme theme);              // "dark" / "light" / "system"
Theme themeFromName(const QString& name); // unknown -> Dark
void applyTheme(Theme theme);

}  // namespace latentshop::ui
