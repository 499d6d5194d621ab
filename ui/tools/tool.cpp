#include "ui/tools/tool.h"

#include "ui/canvas/canvas.h"

namespace latentshop::ui {

Tool::Tool(QObject* parent) : QObject(parent) {}
Tool::~Tool() = default;

void Tool::activate(Canvas* canvas) { canvas_ = canvas; }
void Tool::deactivate() { canvas_ = nullptr; }

Document* Tool::document() const { return canvas_ ? canvas_->document() : nullptr; }

}  // namespace latentshop::ui
