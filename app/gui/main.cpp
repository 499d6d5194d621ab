// latentshop: the GUI. `latentshop [IMAGE]` opens IMAGE when given.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QSettings>
#include <QTimer>

#include "app/gui/main_window.h"
#include "ui/widgets/theme.h"

int main(int argc, char** argv) {
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
  parser.addPositionalArgument(QStringLiteral("image"), QStringLiteral("An image to open (PNG, JPEG, WebP, TIFF, ...)"));
  parser.process(app);

  latentshop::ui::applyTheme(
      latentshop::ui::themeFromName(QSettings().value(QStringLiteral("view/theme"), QStringLiteral("dark")).toString()));
  latentshop::ui::MainWindow window;
  window.show();
  const QStringList args = parser.positionalArguments();
  if (!args.isEmpty()) {
    const QString path = args.first();
    // After the window is laid out, so the first fit uses the real canvas size.
    QTimer::singleShot(0, &window, [&window, path] { window.openImage(path); });
  }
  return app.exec();
}
