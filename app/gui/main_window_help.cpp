// Main window: the Help menu's dialogs (keyboard shortcuts, about).
#include <QMessageBox>

#include "app/gui/main_window.h"

namespace latentshop::ui {

void MainWindow::showShortcuts() {
  const QString rows = QStringLiteral(
      "<tr><td><b>Ctrl+O</b></td><td>Open an image (or drop it on the window)</td></tr>"
      "<tr><td><b>Ctrl+S / Ctrl+Shift+S</b></td><td>Save / save as a project (.ora: layers, masks, parameters)</td></tr>"
      "<tr><td><b>Ctrl+Shift+E</b></td><td>Export (flattened PNG/JPEG/WebP, layered PSD, PNG layers)</td></tr>"
      "<tr><td><b>Ctrl+J / Ctrl+E</b></td><td>Duplicate the layer / merge it down</td></tr>"
      "<tr><td><b>Ctrl+] / Ctrl+[</b></td><td>Move the layer up / down</td></tr>"
      "<tr><td><b>F2</b></td><td>Rename the layer</td></tr>"
      "<tr><td><b>B</b></td><td>Mask brush</td></tr>"
      "<tr><td><b>E</b></td><td>Toggle eraser (right-drag also erases)</td></tr>"
      "<tr><td><b>[ &nbsp; ]</b></td><td>Brush smaller / larger</td></tr>"
      "<tr><td><b>Shift+click</b></td><td>Straight line from the last stroke</td></tr>"
      "<tr><td><b>Ctrl+I / Ctrl+D</b></td><td>Invert / clear the mask</td></tr>"
      "<tr><td><b>H</b></td><td>Show or hide the mask overlay</td></tr>"
      "<tr><td><b>Ctrl+Z / Ctrl+Shift+Z</b></td><td>Undo / redo (every stroke is one step)</td></tr>"
      "<tr><td><b>Ctrl+Enter</b></td><td>Run inpaint</td></tr>"
      "<tr><td><b>Esc</b></td><td>Cancel the running job</td></tr>"
      "<tr><td><b>Shift+Enter / Delete</b></td><td>Apply / discard the result</td></tr>"
      "<tr><td><b>hold \\</b></td><td>Compare: show the image before the result</td></tr>"
      "<tr><td><b>Wheel / Ctrl+wheel</b></td><td>Zoom at the cursor</td></tr>"
      "<tr><td><b>Space+drag, middle-drag</b></td><td>Pan</td></tr>"
      "<tr><td><b>Ctrl+0 / Ctrl+1</b></td><td>Fit to window / 100 %</td></tr>"
      "<tr><td><b>Ctrl+= / Ctrl+-</b></td><td>Zoom in / out</td></tr>");
  QMessageBox box(this);
  box.setWindowTitle(tr("Keyboard shortcuts"));
  box.setTextFormat(Qt::RichText);
  box.setText(QStringLiteral("<table cellspacing='4'>") + rows + QStringLiteral("</table>"));
  box.exec();
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About Latentshop"),
                     tr("<b>Latentshop %1</b><p>A desktop image editor with diffusion editing: paint a mask and "
                        "fill it, type an instruction, or drag a handle to a target.</p>"
                        "<p>Classical inpainting by OpenCV (Telea, Navier\u2013Stokes).</p>")
                         .arg(QStringLiteral(LATENTSHOP_VERSION)));
}

}  // namespace latentshop::ui
