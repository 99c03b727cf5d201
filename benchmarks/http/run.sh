#!/usr/bin/env bash
# HTTP throughput of the lookup path against a bare Litestar app and nginx, in one run.
#
# Every server runs here on 127.0.0.1, one at a time, and is stopped before the next starts.
# For each target, wrk sends requests from a list of many different addresses
# (benchmarks/http/walk.lua) to the outage lookup, the street autocomplete and the free-text
# resolve. Targets: `dso serve` under uvicorn and under granian, the bare Litestar app
# (benchmarks/http/bare_app.py, the same routes with a fixed body of the same size) under
# both, and nginx serving that body as a static file. The product is also run at 80% of its
# peak rate to read its latency below saturation. Last, two single-worker `dso serve` processes
# on two ports share the database, and benchmarks/http/publish_latency.py measures how long a
# schedule imported through one takes to show on the other.
#
# Settings (environment variables, with defaults):
#   BENCH_BUILDINGS=1000000    buildings of a dataset built here when var/loadtest/addresses.csv is missing
#   BENCH_WORKERS=2            worker processes of every Python server and of nginx
#   BENCH_CONNECTIONS=64       wrk connections
#   BENCH_THREADS=2            wrk threads
#   BENCH_DURATION=15          seconds of each wrk run
#   BENCH_READY_SECONDS=600    maximum wait for a server to answer /health/ready, in seconds
#   BENCH_SERVERS="uvicorn granian"   ASGI servers to compare
#   BENCH_KEEP_SNAPSHOT=0      1 keeps an existing address index snapshot; 0 builds it anew first
#   DSO_DATABASE_URL           database to serve; default var/loadtest/dso.sqlite3
#
# Output: a table on stdout; wrk output, server logs and results.tsv under var/bench/.
set -euo pipefail

cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv}
PYTHON="$VENV/bin/python"
OUT=var/bench
BUILDINGS=${BENCH_BUILDINGS:-1000000}
WORKERS=${BENCH_WORKERS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
DURATION=${BENCH_DURATION:-15}
READY_SECONDS=${BENCH_READY_SECONDS:-600}
SERVERS=${BENCH_SERVERS:-uvicorn granian}
KEEP_SNAPSHOT=${BENCH_KEEP_SNAPSHOT:-0}
SAMPLES=var/loadtest/addresses.csv
LOCAL_DATABASE=var/loadtest/dso.sqlite3
ENDPOINTS=(lookup autocomplete resolve)
export DSO_DATABASE_URL=${DSO_DATABASE_URL:-sqlite+aiosqlite:///$PWD/$LOCAL_DATABASE}
export DSO_INDEX_SNAPSHOT="$PWD/$OUT/address-index.snapshot"
export DSO_LOG_LEVEL=${DSO_LOG_LEVEL:-info}
RESULTS="$OUT/results.tsv"

for tool in wrk nginx curl; do
    if ! command -v "$tool" >/dev/null; then
        echo "run.sh: $tool is not installed; install it with: apt-get install -y wrk nginx curl" >&2
        exit 1
    fi
done
mkdir -p "$OUT/static" "$OUT/nginx-tmp" "$OUT/logs"

# Process ids of the servers now running; stop_all ends each of them and nothing else.
RUNNING=()
stop_pid() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid"
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    echo "run.sh: process $pid did not stop within 20 s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
}
stop_all() {
    local pid
    for pid in "${RUNNING[@]}"; do
        stop_pid "$pid"
    done
    RUNNING=()
}
trap stop_all EXIT

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME COMMAND...: start a server in the background with its log under $OUT/logs.
start() {
    local name=$1
    shift
    "$@" >"$OUT/logs/$name.log" 2>&1 &
    RUNNING+=("$!")
    LAST_PID=$!
    STARTED_AT=$(date +%s.%N)
}

# wait_ready URL NAME: wait for /health/ready and set READY_AFTER to the seconds since start.
wait_ready() {
    local url=$1 name=$2
    local deadline=$((SECONDS + READY_SECONDS))
    until curl --silent --fail --max-time 5 "$url/health/ready" >/dev/null; do
        if ! kill -0 "$LAST_PID" 2>/dev/null; then
            echo "run.sh: $name exited before it was ready; see $OUT/logs/$name.log" >&2
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            echo "run.sh: $name was not ready within $READY_SECONDS s; see $OUT/logs/$name.log" >&2
            exit 1
        fi
        sleep 0.2
    done
    READY_AFTER=$("$PYTHON" -c "import time; print(f'{time.time() - $STARTED_AT:.1f}')")
}

# worker_rss PID: resident memory of each worker process (children over 50 MB), in MB.
worker_rss() {
    ps -o rss= --ppid "$1" | awk '$1 > 51200 { printf "%s%d", sep, $1 / 1024; sep = "/" }'
}

# measure TARGET ENDPOINT URL [RATE]: one wrk run; appends a line to results.tsv.
measure() {
    local target=$1 endpoint=$2 url=$3 rate=${4:-}
    local label=$target
    [[ -n "$rate" ]] && label="$target@80%"
    local log="$OUT/logs/wrk-$label-$endpoint.txt"
    WRK_PATHS="$OUT/paths/$endpoint.txt" WRK_RATE="$rate" WRK_CONNECTIONS="$CONNECTIONS" \
        timeout --signal=INT --kill-after=10 $((DURATION + 30)) \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
        -s benchmarks/http/walk.lua "$url" >"$log" 2>&1 || true
    local result
    result=$(grep '^RESULT' "$log" || true)
    if [[ -z "$result" ]]; then
        echo "run.sh: wrk printed no result for $label $endpoint; see $log" >&2
        exit 1
    fi
    # RESULT requests=.. rps=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. failed=.. non_2xx=..
    printf '%s\t%s\t%s\n' "$label" "$endpoint" "$(echo "$result" | sed 's/^RESULT //; s/ /\t/g')" >>"$RESULTS"
    echo "run.sh: $label $endpoint: $result"
}

rps_of() {
    awk -F'\t' -v t="$1" -v e="$2" '$1 == t && $2 == e { sub("rps=", "", $4); print $4 }' "$RESULTS"
}

# 1. The dataset, and the request paths made from its sample addresses.
if [[ ! -s "$SAMPLES" ]]; then
    if [[ "$DSO_DATABASE_URL" == *"$LOCAL_DATABASE" ]]; then
        rm -f "$LOCAL_DATABASE" "$LOCAL_DATABASE-wal" "$LOCAL_DATABASE-shm"
    fi
    "$PYTHON" -m loadtests.dataset --buildings "$BUILDINGS" --out "$SAMPLES"
fi
# A dataset built by older code may lack tables that the servers now need at start.
"$VENV/bin/dso" db upgrade
"$PYTHON" -m benchmarks.http.paths "$SAMPLES" "$OUT/paths"
[[ "$KEEP_SNAPSHOT" == 1 ]] || rm -f "$DSO_INDEX_SNAPSHOT"
: >"$RESULTS"
STARTS=()

# 2. The product under each server. The first start builds the index and writes the snapshot,
# and later starts load it.
for server in $SERVERS; do
    port=$(free_port)
    start "dso-$server" "$VENV/bin/dso" serve --server "$server" --host 127.0.0.1 --port "$port" \
        --workers "$WORKERS"
    wait_ready "http://127.0.0.1:$port" "dso-$server"
    sleep 2
    STARTS+=("dso serve --server $server: ready after $READY_AFTER s, worker RSS $(worker_rss "$LAST_PID") MB")
    echo "run.sh: ${STARTS[-1]}"
    if [[ -z "${BODIES_SAVED:-}" ]]; then
        # The fixed bodies of the bare app and nginx: the product's response to the first path.
        BODIES_SAVED=1
        for endpoint in "${ENDPOINTS[@]}"; do
            curl --silent --fail --max-time 10 -o "$OUT/static/$endpoint.json" \
                "http://127.0.0.1:$port$(head -1 "$OUT/paths/$endpoint.txt")"
        done
    fi
    for endpoint in "${ENDPOINTS[@]}"; do
        measure "dso-$server" "$endpoint" "http://127.0.0.1:$port"
    done
    for endpoint in "${ENDPOINTS[@]}"; do
        rate=$(awk -v r="$(rps_of "dso-$server" "$endpoint")" 'BEGIN { printf "%d", r * 0.8 }')
        measure "dso-$server" "$endpoint" "http://127.0.0.1:$port" "$rate"
    done
    stop_all
done
wc -c "$OUT"/static/*.json

# 3. The bare Litestar app under each server.
export BENCH_BODIES="$PWD/$OUT/static"
for server in $SERVERS; do
    port=$(free_port)
    if [[ "$server" == granian ]]; then
        start "bare-$server" "$VENV/bin/granian" --interface asgi --host 127.0.0.1 --port "$port" \
            --workers "$WORKERS" --log-level warning --no-access-log benchmarks.http.bare_app:app
    else
        start "bare-$server" "$VENV/bin/uvicorn" benchmarks.http.bare_app:app --host 127.0.0.1 \
            --port "$port" --workers "$WORKERS" --log-level warning --no-access-log
    fi
    wait_ready "http://127.0.0.1:$port" "bare-$server"
    for endpoint in "${ENDPOINTS[@]}"; do
        measure "bare-$server" "$endpoint" "http://127.0.0.1:$port"
    done
    stop_all
done

# 4. nginx serving the same bodies as static files.
port=$(free_port)
sed -e "s|@PORT@|$port|g" -e "s|@ROOT@|$PWD/$OUT/static|g" -e "s|@RUN@|$PWD/$OUT|g" \
    benchmarks/http/nginx.conf.template >"$OUT/nginx.conf"
start nginx nginx -p "$PWD/$OUT" -c "$PWD/$OUT/nginx.conf" -e "$PWD/$OUT/nginx-error.log"
wait_ready "http://127.0.0.1:$port" nginx
for endpoint in "${ENDPOINTS[@]}"; do
    measure nginx "$endpoint" "http://127.0.0.1:$port"
done
stop_all

# 5. Publish-to-visible latency between two processes that share the database.
export DSO_SECURITY_STAFF_TOKEN
DSO_SECURITY_STAFF_TOKEN=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))')
writer=$(free_port)
start dso-writer "$VENV/bin/dso" serve --host 127.0.0.1 --port "$writer" --workers 1
writer_pid=$LAST_PID
wait_ready "http://127.0.0.1:$writer" dso-writer
reader=$(free_port)
start dso-reader "$VENV/bin/dso" serve --host 127.0.0.1 --port "$reader" --workers 1
wait_ready "http://127.0.0.1:$reader" dso-reader
STARTS+=("dso serve --workers 1 (reader, from the snapshot): ready after $READY_AFTER s")
PUBLISH=$("$PYTHON" -m benchmarks.http.publish_latency --writer "http://127.0.0.1:$writer" \
    --reader "http://127.0.0.1:$reader" --samples "$SAMPLES" | tee "$OUT/logs/publish.txt" | grep '^RESULT' || true)
stop_all
unset writer_pid

# 6. The table.
echo
echo "Starts:"
printf '  %s\n' "${STARTS[@]}"
echo "Index: $(grep -ho 'index.addresses_built.*seconds=[0-9.]*' "$OUT"/logs/dso-*.log | head -2 | sed 's/\x1b\[[0-9;]*m//g' | tr '\n' ' ')"
echo "Snapshot: $(grep -ho 'index.snapshot_\(written\|loaded\).*seconds=[0-9.]*' "$OUT"/logs/dso-*.log | sed 's/\x1b\[[0-9;]*m//g' | sort | uniq -c | tr '\n' ' ')"
echo "Publish to visible: ${PUBLISH:-not measured, see $OUT/logs/publish.txt}"
echo
"$PYTHON" - "$RESULTS" "$SERVERS" <<'PY'
import sys

rows = {}
for line in open(sys.argv[1], encoding="utf-8"):
    target, endpoint, *pairs = line.rstrip("\n").split("\t")
    rows[(target, endpoint)] = dict(pair.split("=") for pair in pairs)

print(f"{'endpoint':<13}{'target':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}"
      f"{'/bare':>8}{'/nginx':>8}")
for endpoint in ("lookup", "autocomplete", "resolve"):
    nginx = float(rows.get(("nginx", endpoint), {}).get("rps", "nan"))
    for target, values in ((t, v) for (t, e), v in rows.items() if e == endpoint):
        rps = float(values["rps"])
        server = target.removeprefix("dso-").removeprefix("bare-").split("@")[0]
        bare = float(rows.get((f"bare-{server}", endpoint), {}).get("rps", "nan"))
        product = target.startswith("dso-") and "@" not in target
        ratio_bare = f"{rps / bare:.2f}" if product else ""
        ratio_nginx = f"{rps / nginx:.3f}" if target != "nginx" and "@" not in target else ""
        print(f"{endpoint:<13}{target:<22}{rps:>9.0f}{float(values['p50_ms']):>9.1f}"
              f"{float(values['p99_ms']):>9.1f}{int(values['failed']):>8}{ratio_bare:>8}{ratio_nginx:>8}")
PY
