// `latentshop --test-script FILE`: drives the editor from a small script so end-to-end tests can run
// the real binary as a separate process (tests/app/test_recovery.cpp kills it with SIGKILL and
// starts it again). Not meant for users. One command per line; blank lines and '#' comments skipped:
//   open PATH                    open an image or project
//   mask-rect X Y W H            paint a filled rectangle into the mask (one undo step)
//   keep-out-rect X Y W H        paint a filled rectangle into the keep-out mask (one undo step)
//   inpaint telea|ns|patchmatch [G F R]  run classical inpainting (grow, feather, radius) and wait
//   sd-inpaint PROMPT            run the Stable Diffusion inpaint method with its model and wait
//   instruct TEXT                run the instruction box with TEXT and wait (for the first variation)
//   variations N                 the SD inpaint and Instruct panels make N variations per run
//   drag-pair HX HY TX TY        add a handle → target pair (image pixels)
//   drag-run                     run the drag edit and wait
//   sleep SECONDS                wait (e.g. while a screenshot is taken)
//   apply | discard              the pending result
//   action NAME                  trigger a window action ("tool.drag-points", "view.fit", ...)
//   busy-job SECONDS             start a job that only reports progress for SECONDS; do not wait
//   wait-autosave                wait until the recovery file holds the document as it is now
//   save PATH | export PATH      save the project / export (waits)
//   state                        print modified, path, layer count, active layer, mask bounds
//   echo TEXT | quit
// Every command prints "[script] <command>: ok[ details]" on stdout; a failing one prints
// "[script] <command>: failed: <why>" and the application exits with code 3.
#pragma once
#include <functional>

#include <QObject>
#include <QStringList>

namespace latentshop::ui {

class MainWindow;

class TestScript : public QObject {
  Q_OBJECT
public:
  TestScript(MainWindow* window, const QString& path, QObject* parent = nullptr);
  void start();

private:
  void next();
  void ok(const QString& command, const QString& details = QString());
  void fail(const QString& command, const QString& why);
  void run(const QString& line);
  // Starts a job with `start` (0: refused) and reports `cmd` when the window's job finishes.
  void runAndWait(const QString& cmd, const std::function<quint64()>& start);

  MainWindow* window_;
  QString path_;
  QStringList lines_;
};

}  // namespace latentshop::ui
