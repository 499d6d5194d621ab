#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root, or a user with sudo):
#   packaging/bootstrap.sh run    install what is missing, build, start the GUI on a sample photo
#   packaging/bootstrap.sh test   install what is missing, build, run the whole test suite
#   packaging/bootstrap.sh build  install what is missing and build
#   packaging/bootstrap.sh deps   only install what is missing
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release), CTEST_ARGS (extra ctest args).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-Release}
SAMPLE_PHOTO=/usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg

# Build and test dependencies (Debian package names). libopenblas0: without it libtorch uses the
# reference BLAS, 25x slower. lomiri-wallpapers-16.04 provides the sample photo; imagemagick is
# the independent PSD/ORA reader the tests use; xvfb/xauth run the GUI without a display.
PACKAGES=(
  cmake ninja-build g++ pkg-config git ccache
  qt6-base-dev libqt6svg6 qt6-image-formats-plugins
  libtorch-dev libopenblas0 libopencv-dev libspdlog-dev nlohmann-json3-dev libcli11-dev
  libzip-dev libpugixml-dev libpng-dev libicu-dev zlib1g-dev
  xvfb xauth imagemagick lomiri-wallpapers-16.04
)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "bootstrap: all packages present"
    return
  fi
  echo "bootstrap: installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
  cmake --build "$BUILD_DIR"
}

run_gui() {
  local photo=$SAMPLE_PHOTO
  [ -f "$photo" ] || photo=""
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "bootstrap: no display found; starting under xvfb-run (nothing will be visible)"
    exec xvfb-run -a -s "-screen 0 1600x1000x24" "$BUILD_DIR/app/latentshop" ${photo:+"$photo"}
  fi
  exec "$BUILD_DIR/app/latentshop" ${photo:+"$photo"}
}

run_tests() {
  # Benchmarks are registered under the "bench" label and are not part of the test suite.
  # Tests run one at a time: each engine test already uses every core.
  ctest --test-dir "$BUILD_DIR" --output-on-failure -LE bench ${CTEST_ARGS:-}
}

case "${1:-}" in
  deps) install_missing ;;
  build) install_missing; build ;;
  run) install_missing; build; run_gui ;;
  test) install_missing; build; run_tests ;;
  *) echo "usage: $0 run|test|build|deps" >&2; exit 2 ;;
esac
