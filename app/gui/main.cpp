// latentshop: the GUI. `latentshop [FILE]` opens FILE (an image or a .ora project) when given.
// At start-up it offers to restore documents left unsaved by a session that crashed or was killed
// (--recover picks the answer without asking, for scripts and tests).
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QSettings>
#include <QTimer>

#include <cstdio>

#include "app/gui/main_window.h"
#include "app/gui/test_script.h"
#include "engine/core/process_env.h"
#include "engine/io/project_atomic_file.h"
#include "ui/widgets/theme.h"

int main(int argc, char** argv) {
  latentshop::ensurePassiveOpenMpWait(argc, argv);  // before libgomp reads its environment
  latentshop::reportFileSizeLimitAsError();        // a save past `ulimit -f` is an error, not SIGXFSZ
  QApplication app(argc, argv);
  Q_INIT_RESOURCE(latentshop);  // the .qrc is compiled into the static UI library
  QApplication::setOrganizationName(QStringLiteral("Latentshop"));
  QApplication::setApplicationName(QStringLiteral("Latentshop"));
  QApplication::setApplicationVersion(QStringLiteral(LATENTSHOP_VERSION));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/latentshop.svg")));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Latentshop: a desktop image editor with diffusion editing"));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("An image (PNG, JPEG, WebP, TIFF, ...) or a project (.ora) to open"));
  const QCommandLineOption recover(QStringLiteral("recover"),
                                   QStringLiteral("What to do with documents a crashed session left unsaved: ask (default), "
                                                  "restore (the newest), discard, later"),
                                   QStringLiteral("mode"), QStringLiteral("ask"));
  const QCommandLineOption script(QStringLiteral("test-script"),
                                  QStringLiteral("Run editor commands from a file (for automated tests; see app/gui/test_script.h)"),
                                  QStringLiteral("file"));
  parser.addOption(recover);
  parser.addOption(script);
  parser.process(app);

  using latentshop::ui::MainWindow;
  const QString mode = parser.value(recover);
  const MainWindow::RecoveryMode recoveryMode = mode == QLatin1String("restore") ? MainWindow::RecoveryMode::Restore
                                                : mode == QLatin1String("discard") ? MainWindow::RecoveryMode::Discard
                                                : mode == QLatin1String("later")   ? MainWindow::RecoveryMode::Later
                                                                                   : MainWindow::RecoveryMode::Ask;
  if (mode != QLatin1String("ask") && recoveryMode == MainWindow::RecoveryMode::Ask) {
    std::fprintf(stderr, "latentshop: --recover: unknown mode '%s' (ask, restore, discard, later)\n", qPrintable(mode));
    return 2;
  }

  latentshop::ui::applyTheme(
      latentshop::ui::themeFromName(QSettings().value(QStringLiteral("view/theme"), QStringLiteral("dark")).toString()));
  MainWindow window;
  if (parser.isSet(script)) window.setInteractive(false);
  window.show();
  const QStringList args = parser.positionalArguments();
  const QString path = args.isEmpty() ? QString() : args.first();
  latentshop::ui::TestScript* runner =
      parser.isSet(script) ? new latentshop::ui::TestScript(&window, parser.value(script), &window) : nullptr;
  // After the window is laid out, so the first fit uses the real canvas size.
  QTimer::singleShot(0, &window, [&window, path, recoveryMode, runner] {
    const bool restored = window.offerRecovery(recoveryMode);
    if (!restored && !path.isEmpty()) window.openImage(path);
    if (runner) runner->start();
  });
  return app.exec();
}
