#!/usr/bin/env bash
# Installs every Debian 12 package Confiance needs to build, run and test.
# Idempotent and quick when everything is already there.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev librocksdb-dev libssl-dev zlib1g-dev libpugixml-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libjemalloc-dev
  # RADOS pools and metadata (src/blob/rados/, src/meta/rados/): librados,
  # and for their tests a real single-node Ceph cluster
  # (tests/ceph/ceph_cluster.py: monitor, manager, OSD, the
  # ceph/rados/ceph-authtool/monmaptool tools), and python3-rados for the
  # Ceph end-to-end tests (tests/e2e/cephutil.py; tests/ceph/raw_omap.py
  # loads librados.so.2 itself).
  librados-dev ceph-mon ceph-mgr ceph-osd ceph-base ceph-common python3-rados
  libgtest-dev libgmock-dev libbenchmark-dev
  # sd_notify: the server tells systemd when it is ready (Type=notify).
  libsystemd-dev
  # What RocksDB's static archive links (CMakeLists.txt, CONFIANCE_STATIC_ROCKSDB);
  # librocksdb-dev depends on them too, but our build names them itself.
  libsnappy-dev liblz4-dev libzstd-dev libbz2-dev libgflags-dev
  python3 python3-boto3 python3-pytest python3-requests python3-cryptography awscli s3cmd rclone restic
  python3-pykmip
  # The monitoring endpoint's end-to-end test (tests/e2e/test_metrics.py): the
  # Prometheus project's parser and server. On a machine run by systemd,
  # Debian's prometheus package also enables a prometheus.service on
  # 127.0.0.1:9090 (`systemctl disable --now prometheus` if unwanted); the
  # test starts its own on a free port.
  python3-prometheus-client prometheus
  # The web console: its JavaScript unit tests run on Node's test runner;
  # its end-to-end test (tests/e2e/test_console.py) drives a real browser.
  nodejs chromium chromium-driver python3-selenium fonts-liberation
  procps strace
  # `systemd-analyze verify` of the packaged units (tests/e2e/test_operations.py).
  systemd
  # The Debian package (scripts/build-deb.sh, cpack): dpkg-shlibdeps computes
  # its dependencies, lintian checks it, man renders its manual pages
  # (tests/e2e/test_package.py).
  dpkg-dev lintian man-db
)
# Optional: clang (libFuzzer targets, -DCONFIANCE_FUZZ=ON).
if [[ "${CONFIANCE_FUZZ:-0}" == "1" ]]; then PACKAGES+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installing: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
