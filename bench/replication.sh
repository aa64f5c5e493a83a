#!/usr/bin/env bash
# File: bench/replication.sh
# How fast bucket replication (docs/replication.md) copies: a source
# Confiance (Release, --threads 1, core 0) replicating to a destination
# Confiance (--threads 1, core 1) on 127.0.0.1; s3load (core 1) PUTs into
# a versioned bucket whose rule matches every key. Two workloads per round:
# SMALL objects of 4 KiB at 16 connections, and LARGE objects of 64 MiB at
# 1 connection. Prints the PUT rate, how long after the last PUT's answer
# the last copy was taken (the source's confiance_replications_total), and
# copies per second and MB/s over the whole run, ROUNDS times. Copies go one
# after the other per destination (in log order), so this is one stream.
# A third workload, EXISTING objects of 4 KiB written before the bucket has
# a configuration, times the scan a rule with ExistingObjectReplication
# starts (from the PutBucketReplication to the last copy).
#
# Usage: bench/replication.sh [BUILD_DIR]   (default build-release)
#   SMALL (default 2000), LARGE (default 8), EXISTING (default 2000; 0 skips a
#   workload), ROUNDS (default 3)
#   CONFIANCE_BIN: another source server binary (an A/B of two builds)
# Only 127.0.0.1 is used; every loop is bounded.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
SMALL="${SMALL:-2000}"
LARGE="${LARGE:-8}"
EXISTING="${EXISTING:-2000}"
DPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
CONFIANCE_ROOT_ACCESS_KEY=$AK CONFIANCE_ROOT_SECRET_KEY=$SK taskset -c 1 "$CONFIANCE" server --data "$WORK/dest" \
  --listen "127.0.0.1:$DPORT" --threads 1 >>"$WORK/dest.log" 2>&1 &
DEST_PID=$!
trap 'stop_pid $DEST_PID; cleanup_bench' EXIT
printf '%s\n' "$SK" >"$WORK/dest.secret"
printf 'bench-metrics-token-0123456789abcdef\n' >"$WORK/metrics.token"
chmod 600 "$WORK/dest.secret" "$WORK/metrics.token"
cat >"$WORK/targets.toml" <<TOML
[[target]]
tenant = "default"
name = "dr"
endpoint = "http://127.0.0.1:$DPORT"
bucket = "replica"
access_key = "$AK"
secret_key_file = "$WORK/dest.secret"
jurisdiction = "FR"
TOML
start_server --replication-targets "$WORK/targets.toml" --metrics-token-file "$WORK/metrics.token"

# copies: the source's confiance_replications_total{result="ok"} so far.
copies() {
  /usr/bin/python3 - "$PORT" <<'PY'
import sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s/_confiance/metrics" % sys.argv[1],
                             headers={"Authorization": "Bearer bench-metrics-token-0123456789abcdef"})
for line in urllib.request.urlopen(req, timeout=5).read().decode().splitlines():
    if line.startswith('confiance_replications_total{result="ok"}'):
        print(int(float(line.split()[-1])))
PY
}

timeout 60 /usr/bin/python3 - "$PORT" "$DPORT" "$AK" "$SK" <<'PY'
import sys, boto3
port, dport, ak, sk = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def client(p):
    return boto3.client("s3", endpoint_url="http://127.0.0.1:%s" % p, aws_access_key_id=ak,
                        aws_secret_access_key=sk, region_name="us-east-1")
d = client(dport)
d.create_bucket(Bucket="replica")
d.put_bucket_versioning(Bucket="replica", VersioningConfiguration={"Status": "Enabled"})
s = client(port)
s.create_bucket(Bucket="repl-bench")
s.put_bucket_versioning(Bucket="repl-bench", VersioningConfiguration={"Status": "Enabled"})
s.put_bucket_replication(Bucket="repl-bench", ReplicationConfiguration={"Role": "", "Rules": [
    {"Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
     "DeleteMarkerReplication": {"Status": "Disabled"},
     "Destination": {"Bucket": "arn:confiance:replication::default:dr"}}]})
PY

# configure_existing BUCKET [with-rule]: creates BUCKET, versioned; with
# "with-rule", gives it a rule for existing versions instead.
configure_existing() {
  timeout 60 /usr/bin/python3 - "$PORT" "$AK" "$SK" "$@" <<'PY'
import sys, boto3
port, ak, sk, bucket = sys.argv[1:5]
s = boto3.client("s3", endpoint_url="http://127.0.0.1:%s" % port, aws_access_key_id=ak,
                 aws_secret_access_key=sk, region_name="us-east-1")
if len(sys.argv) == 5:
    s.create_bucket(Bucket=bucket)
    s.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
else:
    s.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={"Role": "", "Rules": [
        {"Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
         "ExistingObjectReplication": {"Status": "Enabled"},
         "DeleteMarkerReplication": {"Status": "Disabled"},
         "Destination": {"Bucket": "arn:confiance:replication::default:dr"}}]})
PY
}

# copies_since BASE N: waits (bounded: 300 s) until N copies more than
# BASE were taken; prints how many were.
copies_since() {
  local base=$1 n=$2 got=0
  for _ in $(seq 1 3000); do
    got=$(( $(copies) - base ))
    [[ $got -ge $n ]] && break
    sleep 0.1
  done
  echo "$got"
}

# run N SIZE CONNECTIONS: PUTs N objects and waits (bounded) for N copies;
# prints one table row.
run() {
  local n=$1 size=$2 conns=$3 base start put_done out done_at got
  base=$(copies)
  start=$(date +%s.%N)
  out=$(timeout 600 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket repl-bench \
    --prefix "k$size/" --keys "$n" --size "$size" --op put --connections "$conns" --requests "$n" --max-seconds 300)
  put_done=$(date +%s.%N)
  got=$(copies_since "$base" "$n")
  done_at=$(date +%s.%N)
  awk -v puts="$(s3load_field ops_s "$out")" -v start="$start" -v pd="$put_done" -v end="$done_at" -v got="$got" \
    -v n="$n" -v size="$size" -v c="$conns" 'BEGIN {
      if (got < n) { printf "| %d x %d B c=%d | %s | only %d of %d copies in 300 s | | |\n", n, size, c, puts, got, n; exit }
      printf "| %d x %d B c=%d | %s | %.2f s | %.0f | %.1f |\n", n, size, c, puts, end - pd, n / (end - start),
             n * size / (end - start) / 1e6 }'
}

# run_existing N ROUND: N objects of 4 KiB, then the configuration; prints
# how long the scan took to copy them.
run_existing() {
  local n=$1 bucket="repl-existing-$2" base start got done_at
  configure_existing "$bucket"
  timeout 600 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket "$bucket" \
    --prefix "e/" --keys "$n" --size 4096 --op put --connections 16 --requests "$n" --max-seconds 300 >/dev/null
  base=$(copies)
  start=$(date +%s.%N)
  configure_existing "$bucket" with-rule
  got=$(copies_since "$base" "$n")
  done_at=$(date +%s.%N)
  awk -v start="$start" -v end="$done_at" -v got="$got" -v n="$n" 'BEGIN {
      if (got < n) { printf "| %d existing x 4096 B | | only %d of %d copies in 300 s | | |\n", n, got, n; exit }
      printf "| %d existing x 4096 B | (written before) | scan: %.2f s | %.0f | %.1f |\n", n, end - start,
             n / (end - start), n * 4096 / (end - start) / 1e6 }'
}

echo "| workload | PUT/s | last copy after the last PUT | copies/s over the run | MB/s over the run |"
echo "|---|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
  [[ $SMALL -gt 0 ]] && run "$SMALL" 4096 16
  [[ $LARGE -gt 0 ]] && run "$LARGE" $((64 << 20)) 1
  [[ $EXISTING -gt 0 ]] && run_existing "$EXISTING" "$round"
done
