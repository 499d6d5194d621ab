#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined) and runs each for a
# fixed number of executions, one after another, with leak detection on.
#
#   tests/fuzz/run_fuzzers.sh                      # every harness, 1,000,000 executions each
#   RUNS=20000 tests/fuzz/run_fuzzers.sh ora png_text
#
# Environment: RUNS (executions per harness, default 1000000), BUILD_DIR (default build-fuzz),
# JOBS (ninja -j, default 2), FUZZ_TIMEOUT (seconds per input before it counts as a hang, default 10),
# LATENTSHOP_SHARED_DIR (folder with models/clip/bpe_simple_vocab_16e6.txt.gz, default ../shared).
# The seeds in tests/fuzz/corpus/<harness>/ are copied to $BUILD_DIR/fuzz-corpus/<harness>/, where
# libFuzzer adds what it finds (the source tree is never written); crashes, leaks and hangs are
# saved in $BUILD_DIR/fuzz-artifacts/<harness>/ and the script stops with status 1 at the first.
# A summary line per harness (executions, exec/s, seconds) goes to $BUILD_DIR/fuzz-summary.txt.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$(cd "$HERE/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$SRC/build-fuzz}"
RUNS="${RUNS:-1000000}"
JOBS="${JOBS:-2}"
FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-10}"
ALL=(safetensors ora png_text png_parameters config_json tokenizer tokenizer_files)
HARNESSES=("$@")
[ ${#HARNESSES[@]} -eq 0 ] && HARNESSES=("${ALL[@]}")

max_len() {
  case "$1" in
    safetensors) echo 4096 ;;
    ora) echo 16384 ;;
    png_text) echo 8192 ;;
    png_parameters) echo 2048 ;;
    config_json) echo 4096 ;;
    tokenizer) echo 1024 ;;
    tokenizer_files) echo 4096 ;;
    *) echo 4096 ;;
  esac
}

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S "$SRC" -B "$BUILD_DIR" -DCMAKE_CXX_COMPILER=clang++ -DLATENTSHOP_FUZZ=ON \
    -DBUILD_UI=OFF -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
ninja -C "$BUILD_DIR" -j"$JOBS" latentshop_fuzzers

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$HERE/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export OMP_NUM_THREADS=1

SUMMARY="$BUILD_DIR/fuzz-summary.txt"
for h in "${HARNESSES[@]}"; do
  exe="$BUILD_DIR/fuzz/fuzz_$h"
  [ -x "$exe" ] || { echo "no harness fuzz_$h in $BUILD_DIR/fuzz" >&2; exit 2; }
  corpus="$BUILD_DIR/fuzz-corpus/$h"
  artifacts="$BUILD_DIR/fuzz-artifacts/$h"
  mkdir -p "$corpus" "$artifacts"
  cp -n "$HERE/corpus/$h/"* "$corpus/" 2>/dev/null || true
  dict=()
  [ -f "$HERE/dict/$h.dict" ] && dict=(-dict="$HERE/dict/$h.dict")
  log="$BUILD_DIR/fuzz-$h.log"
  echo "== fuzz_$h: $RUNS executions, max_len $(max_len "$h") (log: $log)"
  start=$(date +%s)
  set +e
  "$exe" "$corpus" "${dict[@]}" -runs="$RUNS" -max_len="$(max_len "$h")" -timeout="$FUZZ_TIMEOUT" \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  secs=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  line="fuzz_$h: rc=$rc executions=${execs:-?} exec/s=${eps:-?} seconds=$secs cov=${cov:-?} corpus=$(ls "$corpus" | wc -l)"
  echo "$line" | tee -a "$SUMMARY"
  if [ $rc -ne 0 ]; then
    echo "fuzz_$h found a problem; its input is in $artifacts/, the report in $log:" >&2
    grep -E "ERROR|runtime error|SUMMARY|terminate|what\(\)" "$log" | head -20 >&2
    exit 1
  fi
done
