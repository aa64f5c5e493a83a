#!/usr/bin/env bash
# File: bench/delete_objects.sh
# Time of one DeleteObjects of 1,000 keys (what `aws s3 rm --recursive`
# sends), for objects inline in the metadata (1 KiB) and in blob files
# (64 KiB). One Confiance (Release, --threads 1, core 0), as in
# run_server_bench.sh; boto3 writes the keys with 16 threads, then times the
# one request, ROUNDS times per size.
#
# Usage: bench/delete_objects.sh [BUILD_DIR]   (default build-release)
#   ROUNDS (default 3); FLAGS (extra server flags, e.g. --no-transparency-log)
# Only 127.0.0.1 is used; every loop is bounded.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
# shellcheck disable=SC2086
start_server ${FLAGS:-}
timeout 600 /usr/bin/python3 - "$PORT" "$AK" "$SK" "$ROUNDS" <<'PY'
import concurrent.futures
import sys
import time

import boto3
from botocore.config import Config

port, ak, sk, rounds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:%d" % port, aws_access_key_id=ak,
                  aws_secret_access_key=sk, region_name="us-east-1",
                  config=Config(max_pool_connections=16))
s3.create_bucket(Bucket="bulkdelete")
keys = ["k%04d" % i for i in range(1000)]
print("| object size | round | DeleteObjects of 1,000 keys |")
print("|---|---|---:|")
for size in (1024, 65536):
    body = b"x" * size
    for r in range(rounds):
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda k: s3.put_object(Bucket="bulkdelete", Key=k, Body=body), keys))
        t = time.monotonic()
        out = s3.delete_objects(Bucket="bulkdelete",
                                Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
        ms = (time.monotonic() - t) * 1000
        assert not out.get("Errors"), out["Errors"][:3]
        assert s3.list_objects_v2(Bucket="bulkdelete").get("KeyCount") == 0
        print("| %d B | %d | %.0f ms |" % (size, r + 1, ms))
PY
