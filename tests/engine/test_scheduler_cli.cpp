// LATENTSHOP_TEST_LABELS: golden;schedulers;cli
// The parity harness end to end: `latentshop-cli tensors schedule ddim|euler|dpmpp2m --config
// --inputs --out` on the three golden scheduler cases; its output file must hold every recorded
// quantity under the golden names, within the README tolerances. Also its error for a missing
// --config.
#include <array>
#include <cstdio>
#include <string>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_scheduler_golden.h"
#include "engine/core/threads.h"

namespace {

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Runs a shell command; returns its exit status and combined output.
int run(const std::string& command, std::string* output) {
  output->clear();
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), p)) *output += buf.data();
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

class TestSchedulerCli : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { latentshop::configureTorchThreads(); }

  void goldenCasesThroughCli() {
    for (const std::string what : {"ddim", "euler", "dpmpp2m"}) {
      const auto golden = lstest::goldenPath(what + "_scheduler.io.safetensors");
      const auto out = lstest::scratchDir() + "/" + what + ".out.safetensors";
      std::string log;
      const int rc = run(quote(lstest::cliPath()) + " tensors schedule " + what + " --config " +
                             quote(lstest::goldenPath(what + "_scheduler.config.json")) + " --inputs " + quote(golden) +
                             " --out " + quote(out),
                         &log);
      QVERIFY2(rc == 0, (what + ": exit " + std::to_string(rc) + ": " + log).c_str());
      const auto expected = lstest::loadTensors(golden);
      const auto produced = lstest::loadTensors(out);
      int compared = 0;
      const auto faults = lstest::compareWithGolden({produced.begin(), produced.end()}, expected,
                                                    lstest::schedulerInputNames(expected), &compared);
      QVERIFY2(faults.empty(), (what + ":\n" + faults).c_str());
      QVERIFY2(compared >= 15, (what + ": only " + std::to_string(compared) + " compared").c_str());
    }
  }

  void missingConfigIsAnError() {
    std::string log;
    const int rc = run(quote(lstest::cliPath()) + " tensors schedule ddim --inputs " +
                           quote(lstest::goldenPath("ddim_scheduler.io.safetensors")) + " --out " +
                           quote(lstest::scratchDir() + "/x.safetensors"),
                       &log);
    QCOMPARE(rc, 1);
    QVERIFY2(log.find("--config") != std::string::npos, log.c_str());
  }
};

QTEST_GUILESS_MAIN(TestSchedulerCli)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_scheduler_cli.moc"
#endif
