// Test framework seam. With Qt (the normal build) this is Qt Test. With -DBUILD_UI=OFF (GPU hosts
// without Qt) engine tests compile against the small stand-in below, which provides the subset of
// Qt Test they use: a `class X : public QObject` with `private Q_SLOTS:` test functions (run by a
// main() that cmake/LatentshopTesting.cmake generates), QVERIFY, QVERIFY2, QCOMPARE, QFAIL.
// Engine tests therefore stick to that subset (no _data slots, no signals, no QString), declare
// their slots as `  void name();` (two-space indent) under `private Q_SLOTS:`, end the class with
// `};` at the start of a line, and put helpers outside the class or after another access specifier.
#pragma once

#ifdef LATENTSHOP_TEST_WITH_QT
#include <QObject>
#include <QtTest/QtTest>
#else
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <sstream>
#include <string>

class QObject {
public:
  virtual ~QObject() = default;
};
// The generated main() calls the private test slots.
#define Q_OBJECT friend int main(int, char**);
#define Q_SLOTS
#define QTEST_MAIN(T)
#define QTEST_GUILESS_MAIN(T)
#define QTEST_APPLESS_MAIN(T)

namespace lstest {

struct Failed {};

inline void report(const char* file, int line, const std::string& what) {
  std::fprintf(stdout, "   Loc: [%s(%d)]\n   %s\n", file, line, what.c_str());
}

template <typename T>
std::string show(const T& v) {
  std::ostringstream s;
  if constexpr (std::is_enum_v<T>) {
    s << static_cast<long long>(v);
  } else {
    s << v;
  }
  return s.str();
}

class Runner {
public:
  Runner(const char* cls, int, char**) : cls_(cls) {
    std::printf("********* Start testing of %s *********\n", cls_);
  }
  bool run(const char* name, const std::function<void()>& fn) {
    bool ok = true;
    try {
      fn();
    } catch (const Failed&) {
      ok = false;
    } catch (const std::exception& e) {
      std::printf("   Caught unhandled exception: %s\n", e.what());
      ok = false;
    }
    if (currentFailed_) ok = false;
    const bool skipped = ok && currentSkipped_;
    currentFailed_ = false;
    currentSkipped_ = false;
    std::printf("%s: %s::%s()\n", skipped ? "SKIP   " : ok ? "PASS   " : "FAIL!  ", cls_, name);
    skipped ? ++skipped_ : ok ? ++passed_ : ++failed_;
    return ok;
  }
  int finish() {
    std::printf("Totals: %d passed, %d failed, %d skipped\n", passed_, failed_, skipped_);
    std::printf("********* Finished testing of %s *********\n", cls_);
    return failed_;
  }
  static inline bool currentFailed_ = false;
  static inline bool currentSkipped_ = false;

private:
  const char* cls_;
  int passed_ = 0;
  int failed_ = 0;
  int skipped_ = 0;
};

}  // namespace lstest

#define QVERIFY2(cond, msg)                                                                      \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      lstest::report(__FILE__, __LINE__, std::string("'" #cond "' returned FALSE. (") +          \
                                             std::string(msg) + ")");                            \
      lstest::Runner::currentFailed_ = true;                                                     \
      return;                                                                                    \
    }                                                                                            \
  } while (0)
#define QVERIFY(cond) QVERIFY2(cond, "")
#define QCOMPARE(actual, expected)                                                               \
  do {                                                                                           \
    if (!((actual) == (expected))) {                                                             \
      lstest::report(__FILE__, __LINE__, "Compared values are not the same\n   Actual   (" #actual \
                                         "): " + lstest::show(actual) +                          \
                                             "\n   Expected (" #expected "): " +                 \
                                             lstest::show(expected));                            \
      lstest::Runner::currentFailed_ = true;                                                     \
      return;                                                                                    \
    }                                                                                            \
  } while (0)
#define QSKIP(msg)                                                                               \
  do {                                                                                           \
    std::printf("   Skipped: %s\n", std::string(msg).c_str());                                    \
    lstest::Runner::currentSkipped_ = true;                                                      \
    return;                                                                                      \
  } while (0)
#define QFAIL(msg)                                                                               \
  do {                                                                                           \
    lstest::report(__FILE__, __LINE__, msg);                                                     \
    lstest::Runner::currentFailed_ = true;                                                       \
    return;                                                                                      \
  } while (0)
#endif
