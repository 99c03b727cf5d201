#!/usr/bin/env bash
# Run one load test against a server started here on 127.0.0.1, and stop everything it started.
#
# Builds the dataset when its sample CSV is missing, starts `dso serve`, waits for
# /health/ready, runs locust headless with the chosen shape and writes the HTML report, the
# CSVs and a JSON summary under var/loadtest/. The exit code is locust's: non-zero when a
# threshold of loadtests/thresholds.py is broken.
#
# Settings (environment variables, with defaults):
#   LOADTEST_SHAPE=wartime_spike   wartime_spike, step, or none (then LOADTEST_USERS and LOADTEST_RUN_TIME)
#   LOADTEST_BUILDINGS=1000000     buildings of a dataset built here
#   LOADTEST_WORKERS=2             worker processes of `dso serve`
#   LOADTEST_PORT=                 TCP port of the server; a free one when empty
#   LOADTEST_READY_SECONDS=600     maximum wait for /health/ready, in seconds
#   LOADTEST_USERS=20              users of a run without a shape
#   LOADTEST_RUN_TIME=60s          duration of a run without a shape
#   DSO_DATABASE_URL               database to load; default var/loadtest/dso.sqlite3
#   DSO_LOADTEST_USERS_SCALE, DSO_LOADTEST_TIME_SCALE   stretch a shape's users and durations
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON="$VENV/bin/python"
OUT=var/loadtest
SHAPE=${LOADTEST_SHAPE:-wartime_spike}
BUILDINGS=${LOADTEST_BUILDINGS:-1000000}
WORKERS=${LOADTEST_WORKERS:-2}
READY_SECONDS=${LOADTEST_READY_SECONDS:-600}
USERS=${LOADTEST_USERS:-20}
RUN_TIME=${LOADTEST_RUN_TIME:-60s}
SAMPLES="$OUT/addresses.csv"
LOCAL_DATABASE="$OUT/dso.sqlite3"
export DSO_DATABASE_URL=${DSO_DATABASE_URL:-sqlite+aiosqlite:///$PWD/$LOCAL_DATABASE}
export DSO_LOADTEST_ADDRESSES="$PWD/$SAMPLES"
export DSO_LOADTEST_SUMMARY="$PWD/$OUT/summary.json"
mkdir -p "$OUT"

SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        for _ in $(seq 1 20); do
            kill -0 "$SERVER_PID" 2>/dev/null || return 0
            sleep 0.5
        done
        echo "run.sh: the server did not stop within 10 s, killing it" >&2
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
}
trap stop_server EXIT

if [[ ! -s "$SAMPLES" ]]; then
    # A half-built local database would mix old rows with new ones: start it anew.
    if [[ "$DSO_DATABASE_URL" == *"$LOCAL_DATABASE" ]]; then
        rm -f "$LOCAL_DATABASE" "$LOCAL_DATABASE-wal" "$LOCAL_DATABASE-shm"
    fi
    "$PYTHON" -m loadtests.dataset --buildings "$BUILDINGS" --out "$SAMPLES"
fi

PORT=${LOADTEST_PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
HOST="http://127.0.0.1:$PORT"
echo "run.sh: starting dso serve on $HOST with $WORKERS workers (log: $OUT/server.log)"
DSO_LOG_LEVEL=${DSO_LOG_LEVEL:-warning} "$VENV/bin/dso" serve --host 127.0.0.1 --port "$PORT" \
    --workers "$WORKERS" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!

# Each worker reads the whole registry into memory before it serves, so readiness takes a while.
deadline=$((SECONDS + READY_SECONDS))
until curl --silent --fail --max-time 5 "$HOST/health/ready" >/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "run.sh: the server exited before it was ready; see $OUT/server.log" >&2
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "run.sh: the server was not ready within $READY_SECONDS s; see $OUT/server.log" >&2
        exit 1
    fi
    sleep 2
done
echo "run.sh: server ready after $SECONDS s"

# A shape stops the run when its table ends; `timeout` is the backstop for a run that hangs.
LIMIT_SECONDS=$("$PYTHON" -c 'import math, os; print(math.ceil(900 * float(os.environ.get("DSO_LOADTEST_TIME_SCALE", "1"))))')
SIZE_OPTIONS=()
if [[ "$SHAPE" == none ]]; then
    SIZE_OPTIONS=(--users "$USERS" --spawn-rate "$USERS" --run-time "$RUN_TIME")
fi
# Each locust user keeps a connection open; 2,000 of them need more open files than the usual
# soft limit of 1,024, so raise it to the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
status=0
timeout --signal=INT --kill-after=30 "$LIMIT_SECONDS" \
    "$VENV/bin/locust" -f loadtests/locustfile.py --headless --host "$HOST" --shape "$SHAPE" \
    "${SIZE_OPTIONS[@]}" --html "$OUT/report.html" --csv "$OUT/run" --only-summary || status=$?
echo "run.sh: report $OUT/report.html, CSVs $OUT/run_*.csv, summary $OUT/summary.json"
exit "$status"
