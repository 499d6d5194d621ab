// latentshop: the GUI. (Placeholder until the main window lands.)
#include <QApplication>
#include <QMainWindow>

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QMainWindow w;
  w.setWindowTitle("Latentshop");
  w.show();
  return app.exec();
}
