#!/usr/bin/env bash
# File: bench/website.sh
# What serving a bucket as a website costs (docs/website.md): 4 KiB GET at
# 16 connections on a fresh Confiance (Release, --threads 1, core 0) driven
# by s3load (core 1), of the same 1,000 objects of a public bucket, three
# ways: a signed S3 GET, an anonymous S3 GET (path style), and a GET of the
# bucket's website endpoint (Host: site.web.test). Runs alternate so that
# drift affects all three; every response is logged in the transparency log.
#
# Usage: bench/website.sh [BUILD_DIR]   (default build-release)
#   SECONDS_PER  seconds per run (default 4); ROUNDS rounds (default 3)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
start_server --website-domain web.test

s3_args site
seed_objects
/usr/bin/python3 - "$PORT" "$AK" "$SK" <<'PY'
import json, sys, boto3
from botocore.config import Config
port, ak, sk = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id=ak, aws_secret_access_key=sk,
                  region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
s3.put_bucket_policy(Bucket="site", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]}))
s3.put_bucket_website(Bucket="site", WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
PY

# run KIND: one bounded run; prints GET/s.
run() {
  local extra=()
  case "$1" in
    signed) extra=() ;;
    anonymous) extra=(--no-auth --path-template '/site/k/{k}') ;;
    website) extra=(--no-auth --path-template '/k/{k}' --host-header "site.web.test:$PORT") ;;
  esac
  timeout $((SECS * 6 + 30)) taskset -c 1 "$S3LOAD" "${S3[@]}" "${extra[@]}" --op get --connections 16 \
    --requests 2000000 --max-seconds "$SECS" --verify | sed -n 's/.*ops_s=\([0-9.]*\).*/\1/p'
}

echo "| round | signed S3 GET/s | anonymous S3 GET/s | website GET/s |"
echo "|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  echo "| $r | $(run signed) | $(run anonymous) | $(run website) |"
done
