// Latentshop's icons, drawn as vectors in the palette's text colour at whatever size and device
// pixel ratio Qt asks for: crisp on hi-DPI screens, right in dark and light themes, and no
// dependency on an installed icon theme (a bare Debian session under Xvfb has none).
#pragma once
#include <QIcon>

namespace latentshop::ui {

enum class IconId {
  Open, Save, Undo, Redo, Brush, Eraser, ZoomIn, ZoomOut, ZoomFit, ZoomActual,
  Invert, Clear, Grow, Shrink, Run, Cancel, Apply, Discard, Compare, Eye,
  // Layers and files.
  EyeOff, Duplicate, Delete, MergeDown, MoveUp, MoveDown, Copy, Export,
  // Tools.
  DragPoints, Select,
};

// An icon that follows the application palette at the time it is painted.
QIcon themedIcon(IconId id);

}  // namespace latentshop::ui
