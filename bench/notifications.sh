#!/usr/bin/env bash
# File: bench/notifications.sh
# How fast bucket event notifications (docs/notifications.md) reach a
# webhook: one Confiance (Release, --threads 1, core 0) with a webhook to a
# receiver on core 1 (Python's ThreadingHTTPServer, answering 200 and
# counting); s3load (core 1) PUTs EVENTS objects of 4 KiB at 16
# connections into a bucket whose rule matches every ObjectCreated. Prints
# the PUT rate, how long after the last PUT's answer the last event
# arrived, the events per second over the whole run, and the server's CPU
# per event (all its threads, PUTs included), ROUNDS times.
#
# Usage: bench/notifications.sh [BUILD_DIR]   (default build-release)
#   EVENTS (default 3000), ROUNDS (default 3)
# Only 127.0.0.1 is used; every loop is bounded.
set -euo pipefail

# shellcheck source=bench/lib_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_server.sh" "${1:-}"
EVENTS="${EVENTS:-3000}"
RPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
COUNT="$WORK/received"
# The receiver: appends one line per POST (its arrival time) to COUNT.
taskset -c 1 /usr/bin/python3 - "$RPORT" "$COUNT" <<'PY' &
import http.server, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
out = open(path, "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        out.write("%.6f\n" % time.time())
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
RECEIVER=$!
trap 'kill $RECEIVER 2>/dev/null; cleanup_bench' EXIT
printf 'notify-bench-secret-0123456789\n' >"$WORK/notify.secret"
chmod 600 "$WORK/notify.secret"
start_server --notify-webhook "default:bench=http://127.0.0.1:$RPORT/in" --notify-secret-file "$WORK/notify.secret"

echo "| round | PUT 4 KiB c=16 /s | last event after the last PUT | events/s over the run | server CPU per event |"
echo "|---|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
  bucket="nb$round"
  timeout 60 /usr/bin/python3 - "$PORT" "$AK" "$SK" "$bucket" <<'PY'
import sys, boto3
from botocore.config import Config
port, ak, sk, bucket = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:%d" % port, aws_access_key_id=ak,
                  aws_secret_access_key=sk, region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
s3.create_bucket(Bucket=bucket)
s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
    {"QueueArn": "arn:confiance:sqs::default:bench", "Events": ["s3:ObjectCreated:*"]}]})
PY
  : >"$COUNT"
  before=$(cpu_ticks)
  start=$(date +%s.%N)
  out=$(timeout 300 taskset -c 1 "$S3LOAD" --port "$PORT" --access-key $AK --secret-key $SK --bucket "$bucket" \
    --prefix k --keys "$EVENTS" --size 4096 --op put --connections 16 --requests "$EVENTS" --max-seconds 120)
  put_done=$(date +%s.%N)
  for _ in $(seq 1 1200); do
    [[ $(wc -l <"$COUNT") -ge $EVENTS ]] && break
    sleep 0.1
  done
  after=$(cpu_ticks)
  got=$(wc -l <"$COUNT")
  last=$(tail -1 "$COUNT")
  awk -v r="$round" -v puts="$(s3load_field ops_s "$out")" -v start="$start" -v done="$put_done" -v last="$last" \
    -v got="$got" -v n="$EVENTS" -v t=$((after - before)) -v k="$TICK" 'BEGIN {
      if (got < n) { printf "| %d | %s | only %d of %d events in 120 s | | |\n", r, puts, got, n; exit }
      printf "| %d | %s | %.2f s | %.0f | %.0f µs |\n", r, puts, last - done, n / (last - start), t * 1e6 / k / n }'
done
