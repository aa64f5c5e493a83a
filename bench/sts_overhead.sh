#!/usr/bin/env bash
# File: bench/sts_overhead.sh
# What temporary credentials cost on the hot path (docs/sts.md): 4 KiB GET
# at 16 connections on a fresh Confiance (Release, --threads 1, core 0)
# driven by s3load (core 1), signed with the root's long-term key, with a
# session of it (GetSessionToken: its token opened once, then cached), and
# with a session narrowed by a session policy (GetFederationToken: the
# policy evaluated on every request, where the root's requests take the
# authorizer's short path). Runs alternate (key, session, narrowed, key,
# ...) so that drift affects all three. Also reports the server's CPU per
# request of each.
#
# Usage: bench/sts_overhead.sh [BUILD_DIR]   (default build-release)
#   SECONDS_PER  seconds per run (default 4); ROUNDS rounds (default 3)
# Only 127.0.0.1 is used; every run is bounded in requests and time.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
start_server

s3_args sts
seed_objects

# session KIND: prints "access-key secret token" of a new session of the root.
session() {
  /usr/bin/python3 - "$PORT" "$1" <<'PY'
import json, sys, boto3
port, kind = sys.argv[1], sys.argv[2]
sts = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="BENCHAK",
                   aws_secret_access_key="SECRET12345", region_name="us-east-1")
if kind == "plain":
    c = sts.get_session_token(DurationSeconds=3600)["Credentials"]
else:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::sts/k/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::sts",
         "Condition": {"StringLike": {"s3:prefix": "k/*"}}}]}
    c = sts.get_federation_token(Name="bench", Policy=json.dumps(policy), DurationSeconds=3600)["Credentials"]
print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
PY
}
read -r PLAIN_AK PLAIN_SK PLAIN_TOKEN <<<"$(session plain)"
read -r FED_AK FED_SK FED_TOKEN <<<"$(session narrowed)"
echo "session tokens: ${#PLAIN_TOKEN} bytes (GetSessionToken), ${#FED_TOKEN} bytes (with the policy)"

# run [EXTRA S3LOAD ARGS...]: one GET run; prints "ops_s cpu_us".
run() {
  local before after out ops
  before=$(cpu_ticks)
  out=$(timeout $((SECS * 6 + 30)) taskset -c 1 "$S3LOAD" "${S3[@]}" "$@" --op get --connections 16 \
    --requests 2000000 --max-seconds "$SECS" --verify)
  after=$(cpu_ticks)
  ops=$(s3load_field requests "$out")
  awk -v o="$(s3load_field ops_s "$out")" -v t=$((after - before)) -v k="$TICK" -v n="$ops" \
    'BEGIN { printf "%s %.1f", o, t * 1e6 / k / n }'
}

echo "| round | long-term key (GET/s, µs CPU) | session (GET/s, µs CPU) | session with a policy (GET/s, µs CPU) |"
echo "|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  read -r a ac <<<"$(run)"
  read -r b bc <<<"$(run --access-key "$PLAIN_AK" --secret-key "$PLAIN_SK" --session-token "$PLAIN_TOKEN")"
  read -r c cc <<<"$(run --access-key "$FED_AK" --secret-key "$FED_SK" --session-token "$FED_TOKEN")"
  echo "| $r | $a, $ac | $b, $bc | $c, $cc |"
done
