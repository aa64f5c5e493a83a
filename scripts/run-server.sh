#!/usr/bin/env bash
# README command 1: install what is needed, build, and start Confiance on
# 127.0.0.1:9000 with the data directory ./data (override with DATA_DIR,
# LISTEN). The first start prints the root credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh confiance
exec "${BUILD_DIR:-build}/src/main/confiance" server --data "${DATA_DIR:-./data}" --listen "${LISTEN:-127.0.0.1:9000}" "$@"
