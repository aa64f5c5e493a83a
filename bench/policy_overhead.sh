#!/usr/bin/env bash
# File: bench/policy_overhead.sh
# What authorization costs on the hot path (issue 5): 4 KiB GET at 16
# connections on a fresh Confiance (Release, --threads 1, core 0) driven by
# s3load (core 1), on the same bucket without a bucket policy and with a
# 20-statement one (the request is allowed as owner after every statement is
# evaluated: none names the owner, so all 20 are checked and none matches).
# Runs alternate (none, policy, none, policy, ...) so that drift affects both.
#
# Usage: bench/policy_overhead.sh [BUILD_DIR]   (default build-release)
#   SECONDS_PER  seconds per run (default 4); ROUNDS pairs of runs (default 3)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
start_server

s3_args pol
seed_objects

# set_policy on|off: a 20-statement policy that never matches the owner.
set_policy() {
  /usr/bin/python3 - "$PORT" "$1" <<'EOF'
import json, sys, boto3
from botocore.config import Config
port, mode = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="BENCHAK",
                  aws_secret_access_key="SECRET12345", region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}))
if mode == "off":
    s3.delete_bucket_policy(Bucket="pol")
    sys.exit(0)
statements = []
for i in range(20):
    statements.append({
        "Sid": f"S{i}", "Effect": "Allow" if i % 4 else "Deny",
        "Principal": {"AWS": f"arn:aws:iam::partner{i}:user/app{i}"},
        "Action": ["s3:GetObject", "s3:PutObject"] if i % 2 else "s3:List*",
        "Resource": [f"arn:aws:s3:::pol/team{i}/*", "arn:aws:s3:::pol"],
        "Condition": {"IpAddress": {"aws:SourceIp": f"10.{i}.0.0/16"},
                      "StringLike": {"s3:prefix": [f"team{i}/*"]}} if i % 3 == 0 else
                     {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    })
s3.put_bucket_policy(Bucket="pol", Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
EOF
}

run() {
  timeout $((SECS * 6 + 30)) taskset -c 1 "$S3LOAD" "${S3[@]}" --op get --connections 16 \
    --requests 2000000 --max-seconds "$SECS" --verify
}

echo "| round | no policy (GET/s) | 20-statement policy (GET/s) |"
echo "|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  set_policy off 2>/dev/null || true
  a="$(run | sed -n 's/.*ops_s=\([0-9.]*\).*/\1/p')"
  set_policy on
  b="$(run | sed -n 's/.*ops_s=\([0-9.]*\).*/\1/p')"
  echo "| $r | $a | $b |"
done
