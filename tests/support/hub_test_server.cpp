// HubTestServer: the HTTP side (QTcpServer on its own thread) and the Hub-like responses.
#include "support/hub_test_server.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

namespace lstest {

namespace {

QByteArray statusLine(int code) {
  switch (code) {
    case 200: return "HTTP/1.1 200 OK\r\n";
    case 206: return "HTTP/1.1 206 Partial Content\r\n";
    case 401: return "HTTP/1.1 401 Unauthorized\r\n";
    case 404: return "HTTP/1.1 404 Not Found\r\n";
    case 416: return "HTTP/1.1 416 Range Not Satisfiable\r\n";
    default: return "HTTP/1.1 500 Internal Server Error\r\n";
  }
}

HubTestServer::Reply simple(int code, const QByteArray& body, const QByteArray& type = "text/plain") {
  HubTestServer::Reply r;
  r.head = statusLine(code) + "Content-Type: " + type + "\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nConnection: close\r\n\r\n";
  r.body = body;
  return r;
}

// Serves one connection: reads the request head, answers, closes.
void serve(HubTestServer* hub, QTcpSocket* socket) {
  auto buffer = std::make_shared<QByteArray>();
  QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
  QObject::connect(socket, &QTcpSocket::readyRead, socket, [hub, socket, buffer] {
    buffer->append(socket->readAll());
    const int end = buffer->indexOf("\r\n\r\n");
    if (end < 0) return;
    const QList<QByteArray> lines = buffer->left(end).split('\n');
    buffer->clear();
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    QMap<QByteArray, QByteArray> headers;
    for (int i = 1; i < lines.size(); ++i) {
      const int colon = lines[i].indexOf(':');
      if (colon > 0) headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
    }
    QObject::disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    const HubTestServer::Reply reply = hub->handle(first.value(0), QString::fromUtf8(first.value(1)), headers);
    socket->write(reply.head);
    const qint64 limit = reply.dropAfter >= 0 ? std::min<qint64>(reply.dropAfter, reply.body.size()) : reply.body.size();
    if (reply.bytesPerSecond <= 0) {
      socket->write(reply.body.left(limit));
      socket->disconnectFromHost();  // after the data is written
      return;
    }
    // A slow link: a chunk every 50 ms.
    auto timer = new QTimer(socket);
    auto sent = std::make_shared<qint64>(0);
    const qint64 chunk = std::max<qint64>(1, reply.bytesPerSecond / 20);
    QObject::connect(timer, &QTimer::timeout, socket, [socket, timer, sent, chunk, limit, body = reply.body] {
      if (socket->state() != QAbstractSocket::ConnectedState) {
        timer->stop();
        return;
      }
      const qint64 n = std::min(chunk, limit - *sent);
      socket->write(body.mid(*sent, n));
      *sent += n;
      if (*sent >= limit) {
        timer->stop();
        socket->disconnectFromHost();
      }
    });
    timer->start(50);
  });
}

}  // namespace

HubTestServer::HubTestServer(QString repo) : repo_(std::move(repo)) {}

HubTestServer::~HubTestServer() {
  if (thread_) {
    thread_->quit();
    thread_->wait();
    delete thread_;
  }
}

void HubTestServer::addFile(const QString& path, const QByteArray& bytes, bool lfs) {
  files_.insert(path, bytes);
  if (lfs) lfs_.insert(path);
}
void HubTestServer::dropAfter(const QString& path, qint64 bytes, int times) {
  dropAt_.insert(path, bytes);
  dropTimes_.insert(path, times);
}
void HubTestServer::listWrongSha(const QString& path) { wrongSha_.insert(path); }
void HubTestServer::missing(const QString& path) { missing_.insert(path); }
void HubTestServer::slow(const QString& path, qint64 bytesPerSecond) { slow_.insert(path, bytesPerSecond); }
void HubTestServer::ignoreRange(bool on) { ignoreRange_ = on; }
void HubTestServer::requireToken(const QByteArray& token) { token_ = token; }

QString HubTestServer::start() {
  QSemaphore ready;
  quint16 port = 0;
  thread_ = new QThread;
  thread_->start();
  auto* server = new QTcpServer;
  server->moveToThread(thread_);
  QObject::connect(thread_, &QThread::finished, server, &QObject::deleteLater);
  QMetaObject::invokeMethod(server, [this, server, &ready, &port] {
    server->listen(QHostAddress::LocalHost, 0);
    port = server->serverPort();
    QObject::connect(server, &QTcpServer::newConnection, server, [this, server] {
      while (QTcpSocket* s = server->nextPendingConnection()) serve(this, s);
    });
    ready.release();
  }, Qt::QueuedConnection);
  ready.acquire();
  return QStringLiteral("http://127.0.0.1:%1").arg(port);
}

QList<HubRequest> HubTestServer::requests() const {
  QMutexLocker lock(&mutex_);
  return log_;
}

void HubTestServer::paginate(int entries, const QString& nextHost) {
  pageEntries_ = entries;
  nextHost_ = nextHost;
}

int HubTestServer::listingRequests() const {
  QMutexLocker lock(&mutex_);
  int n = 0;
  for (const HubRequest& r : log_) n += r.path.startsWith(QStringLiteral("/api/models/")) ? 1 : 0;
  return n;
}

int HubTestServer::requestsFor(const QString& path) const {
  QMutexLocker lock(&mutex_);
  int n = 0;
  for (const HubRequest& r : log_) n += r.path.endsWith(QStringLiteral("/resolve/main/") + path) ? 1 : 0;
  return n;
}

HubTestServer::Reply HubTestServer::handle(const QByteArray& method, const QString& target,
                                           const QMap<QByteArray, QByteArray>& headers) {
  const QUrl url(target);
  const QString path = url.path(QUrl::FullyDecoded);
  {
    QMutexLocker lock(&mutex_);
    log_.append({path, headers.value("range"), headers.value("authorization")});
  }
  if (method != "GET") return simple(500, "GET only");
  if (!token_.isEmpty() && headers.value("authorization") != "Bearer " + token_)
    return simple(401, R"({"error":"Access to this repository is restricted."})", "application/json");

  if (path == QStringLiteral("/api/models/%1/tree/main").arg(repo_)) {
    QJsonArray listing;
    QSet<QString> dirs;
    for (auto it = files_.begin(); it != files_.end(); ++it) {
      const QStringList parts = it.key().split(QLatin1Char('/'));
      for (int i = 1; i < parts.size(); ++i) dirs.insert(parts.mid(0, i).join(QLatin1Char('/')));
    }
    for (const QString& d : dirs) listing.append(QJsonObject{{"type", "directory"}, {"oid", "0"}, {"size", 0}, {"path", d}});
    for (auto it = files_.begin(); it != files_.end(); ++it) {
      QJsonObject o{{"type", "file"},
                    {"oid", QString::fromLatin1(QCryptographicHash::hash(it.value(), QCryptographicHash::Sha1).toHex())},
                    {"size", it.value().size()},
                    {"path", it.key()}};
      if (lfs_.contains(it.key())) {
        QByteArray sha = QCryptographicHash::hash(it.value(), QCryptographicHash::Sha256).toHex();
        if (wrongSha_.contains(it.key())) sha = QCryptographicHash::hash("not the file", QCryptographicHash::Sha256).toHex();
        o.insert("lfs", QJsonObject{{"oid", QString::fromLatin1(sha)}, {"size", it.value().size()}, {"pointerSize", 134}});
      }
      listing.append(o);
    }
    if (pageEntries_ <= 0) return simple(200, QJsonDocument(listing).toJson(QJsonDocument::Compact), "application/json");
    const int from = QUrlQuery(url).queryItemValue(QStringLiteral("cursor")).toInt();
    QJsonArray page;
    for (int i = from; i < std::min<int>(from + pageEntries_, listing.size()); ++i) page.append(listing[i]);
    Reply r = simple(200, QJsonDocument(page).toJson(QJsonDocument::Compact), "application/json");
    if (from + pageEntries_ < listing.size()) {
      const QByteArray host = nextHost_.isEmpty() ? headers.value("host") : nextHost_.toUtf8();
      const QByteArray link = "Link: <http://" + host + path.toUtf8() + "?recursive=1&cursor=" +
                              QByteArray::number(from + pageEntries_) + ">; rel=\"next\"\r\n";
      r.head.insert(r.head.indexOf("\r\n") + 2, link);
    }
    return r;
  }

  const QString prefix = QStringLiteral("/%1/resolve/main/").arg(repo_);
  if (!path.startsWith(prefix)) return simple(404, "Repository not found");
  const QString file = path.mid(prefix.size());
  if (!files_.contains(file) || missing_.contains(file)) return simple(404, "Entry not found");
  const QByteArray& bytes = files_[file];
  qint64 from = 0;
  const QByteArray range = headers.value("range");
  if (!range.isEmpty() && !ignoreRange_) {
    if (!range.startsWith("bytes=") || !range.endsWith("-")) return simple(500, "only open ranges");
    from = range.mid(6, range.size() - 7).toLongLong();
    if (from >= bytes.size())
      return simple(416, "");
  }
  Reply r;
  const bool partial = from > 0;
  r.head = statusLine(partial ? 206 : 200) + "Content-Type: application/octet-stream\r\nContent-Length: " +
           QByteArray::number(bytes.size() - from) + "\r\n";
  if (partial)
    r.head += "Content-Range: bytes " + QByteArray::number(from) + "-" + QByteArray::number(bytes.size() - 1) + "/" +
              QByteArray::number(bytes.size()) + "\r\n";
  r.head += "Accept-Ranges: bytes\r\nConnection: close\r\n\r\n";
  r.body = bytes.mid(from);
  {
    QMutexLocker lock(&mutex_);
    if (dropTimes_.value(file) > 0) {
      dropTimes_[file] -= 1;
      r.dropAfter = dropAt_.value(file);
    }
  }
  r.bytesPerSecond = slow_.value(file);
  return r;
}

}  // namespace lstest
