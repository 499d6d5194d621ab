// A small Hugging Face Hub stand-in for download tests: a real HTTP/1.1 server on 127.0.0.1 (its
// own thread, so a test may block in a child process meanwhile) serving one repository's tree
// listing (/api/models/<repo>/tree/<rev>?recursive=1, LFS entries with sha256) and its files
// (/<repo>/resolve/<rev>/<path>) with Range requests, plus the faults a real network has: a
// connection dropped mid-file, a wrong listed checksum, a missing file, a slow link, a server that
// ignores Range, gated access (401 without the token), and a listing in pages.
#pragma once
#include <QByteArray>
#include <QMap>
#include <QMutex>
#include <QSet>
#include <QString>
#include <QStringList>
#include <memory>

class QThread;

namespace lstest {

struct HubRequest {
  QString path;        // URL path, decoded
  QByteArray range;    // the Range header, empty when none
  QByteArray authorization;
};

class HubTestServer {
public:
  explicit HubTestServer(QString repo);
  ~HubTestServer();

  // Configure before start().
  void addFile(const QString& path, const QByteArray& bytes, bool lfs);
  void dropAfter(const QString& path, qint64 bytes, int times = 1);  // the first `times` requests close early
  void listWrongSha(const QString& path);                             // the listing's sha256 is wrong
  void missing(const QString& path);                                  // listed, but 404 when fetched
  void slow(const QString& path, qint64 bytesPerSecond);
  void ignoreRange(bool on);
  void requireToken(const QByteArray& token);                         // 401 unless "Bearer <token>"
  // The listing comes in pages of `entries` (Link: <...&cursor=N>; rel="next", as the Hub does);
  // `nextHost` replaces the next page's host (a hostile server sending the client elsewhere).
  void paginate(int entries, const QString& nextHost = QString());

  // Listens on 127.0.0.1 (a free port) in its own thread; returns the endpoint "http://127.0.0.1:N".
  QString start();
  QList<HubRequest> requests() const;
  int requestsFor(const QString& path) const;  // resolve requests of a repository path
  int listingRequests() const;                 // requests of the tree listing (one per page)

  // Internal: called on the server thread.
  struct Reply {
    QByteArray head;
    QByteArray body;
    qint64 dropAfter = -1;   // close after this many body bytes
    qint64 bytesPerSecond = 0;
  };
  Reply handle(const QByteArray& method, const QString& path, const QMap<QByteArray, QByteArray>& headers);

private:
  QString repo_;
  QMap<QString, QByteArray> files_;
  QSet<QString> lfs_;
  QMap<QString, int> dropTimes_;
  QMap<QString, qint64> dropAt_;
  QSet<QString> wrongSha_;
  QSet<QString> missing_;
  QMap<QString, qint64> slow_;
  bool ignoreRange_ = false;
  QByteArray token_;
  int pageEntries_ = 0;
  QString nextHost_;
  mutable QMutex mutex_;
  QList<HubRequest> log_;
  QThread* thread_ = nullptr;
};

}  // namespace lstest
