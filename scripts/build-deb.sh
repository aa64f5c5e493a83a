#!/usr/bin/env bash
# Builds the Debian package of Confiance (docs/operations.md, "The Debian
# package") into ./dist: a Release build without tests or benchmarks in
# ./build-deb (or $BUILD_DIR), then `cpack -G DEB` (packaging/CMakeLists.txt).
# Prints the package's path. Install it with `sudo apt install ./dist/confiance_*.deb`.
# CONFIANCE_PACKAGE_MAINTAINER sets the package's Maintainer field.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build-deb}
args=(-DCMAKE_BUILD_TYPE=Release -DCONFIANCE_TESTS=OFF -DCONFIANCE_BENCH=OFF -DCONFIANCE_HARDENING=ON)
if [[ -n "${CONFIANCE_PACKAGE_MAINTAINER:-}" ]]; then
  args+=("-DCONFIANCE_PACKAGE_MAINTAINER=$CONFIANCE_PACKAGE_MAINTAINER")
fi
cmake -S . -B "$BUILD_DIR" -G Ninja "${args[@]}" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target confiance
mkdir -p dist
cpack --config "$BUILD_DIR/CPackConfig.cmake" -B "$BUILD_DIR/cpack" >/dev/null
deb=$(ls -t "$BUILD_DIR"/cpack/confiance_*.deb | head -1)
mv -f "$deb" dist/
echo "dist/$(basename "$deb")"
