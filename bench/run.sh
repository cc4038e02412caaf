#!/usr/bin/env bash
# The benchmark: builds the release server, generates the data sets with `xuefa demo`,
# and measures on SQLite and then PostgreSQL (see BENCHMARKS.md).
#
#   bench/run.sh                 # both backends, 10k and 100k roster (2M sessions), then
#                                #   the exam-start storm (bench/storm.sh) and the uploads
#                                #   (bench/uploads.sh), and live study sessions beside
#                                #   the upload rush (bench/live.sh)
#   BENCH_BACKENDS=sqlite bench/run.sh
#   BENCH_BIN=/path/to/xuefa bench/run.sh   # measure that build (nothing is built)
#   BENCH_10M=1 bench/run.sh     # also 100k roster with 10M sessions (slow to generate)
#   BENCH_1M=1 bench/run.sh      # also a 1,000,000-cadre roster with 20M sessions
#                                #   (BENCH_1M_SESSIONS=2 for a quicker 2M-session version)
#   BENCH_ONLY_1M=1 BENCH_1M=1 bench/run.sh   # only that (skips the 10k/100k sets)
#   BENCH_BASELINE_BIN=/path/to/older/xuefa ...  # the 1M set made and measured by the older
#                                #   build first, then by this one (which migrates it)
#
# Needs wrk (apt-get install wrk) and, for PostgreSQL, a server on 127.0.0.1:5432 where
# user postgres may create databases. Every load stays on loopback and ends by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
PORT="${BENCH_PORT:-18190}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
PASSWORD="xuefa-demo-2026"
export XUEFA_ADMIN_PASSWORD="Bench-Intranet-2026"
# The benchmark signs in as the first administrator with a password, as a test would:
# the 等保 switches that would ask it to change it or enrol a second factor are off.
export XUEFA_FORCE_PASSWORD_CHANGE=0 XUEFA_2FA_REQUIRED_FOR=none XUEFA_PASSWORD_MAX_AGE_DAYS=0
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
BIN="$(bench_bin)"
export BENCH_BIN="$BIN"  # the storm and the uploads below measure the same build


start_server() {
    DATABASE_URL="$1" XUEFA_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
    SERVER=$!
    # A big SQLite file left with a large write-ahead log is recovered on the first open:
    # wait for as long as the server is alive.
    while kill -0 "$SERVER" 2>/dev/null; do curl -sf "$BASE/readyz" >/dev/null && return; sleep 0.2; done
    echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}

stop_server() {
    PEAK_RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
}


# "name  req/s  p50  p99  non-2xx" from wrk's --latency output.
summarise() {
    python3 - "$1" "$2" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
def pct(p):
    m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", text)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: (.*)", text)
print(f"{name:<44} {float(rps):>9.0f} req/s  p50 {pct(50):>7.2f} ms  p99 {pct(99):>7.2f} ms  non-2xx {bad.group(1) if bad else 0}" + (f"  ({errors.group(1)})" if errors else ""))
PY
}


report_latency() { # label url_db
    local hr; hr=$(token hr "$PASSWORD")
    local year; year=$(date +%Y)
    echo "$1: GET targets (by_unit) $(median_ms "$BASE/api/v1/campaigns/1/targets" "$hr") ms, annual summary $(median_ms "$BASE/api/v1/reports/annual/$year" "$hr") ms (median of 5, warm)"
}

# The targets (by unit) and the annual summary as JSON, for comparing two builds.
figures() {
    local hr; hr=$(token hr "$PASSWORD")
    for path in "campaigns/1/targets" "reports/annual/$(date +%Y)"; do
        curl -sf "$BASE/api/v1/$path" -H "Authorization: Bearer $hr"; echo
    done
}

for backend in $BACKENDS; do
    echo "=================== $backend ==================="
    if [ "${BENCH_ONLY_1M:-0}" != 1 ]; then
    # 10k roster: the request benchmarks run here.
    url=$(db_url "$backend" xuefa_bench_10k)
    started=$(date +%s.%N)
    DATABASE_URL="$url" "$BIN" demo --streets 1 --cadres 10000 --sessions-per-cadre 20 --activities 1000 --questions-per-attempt 20 | grep "^loaded"
    start_server "$url"
    : >"$WORK/tokens"
    for n in $(seq 1 256); do token "$(printf 'gb%05d' "$n")" "$PASSWORD" >>"$WORK/tokens"; done
    course=$(curl -sf "$BASE/api/v1/campaigns/1" -H "Authorization: Bearer $(head -n1 "$WORK/tokens")" | python3 -c 'import json,sys; print(json.load(sys.stdin)["courses"][0]["course_id"])')
    base_epoch=$(( $(date +%s) - 3 * 86400 ))

    wrk -t2 -c64 -d"$DURATION" --latency "$BASE/healthz" >"$WORK/healthz.txt"
    summarise "GET /healthz (64 conn)" "$WORK/healthz.txt"
    wrk -t2 -c64 -d"$DURATION" --latency -s bench/sessions.lua "$BASE" -- "$WORK/tokens" 1 "$course" "$base_epoch" 2 >"$WORK/sessions.txt"
    summarise "POST /study-sessions (64 conn, 256 cadres)" "$WORK/sessions.txt"
    wrk -t2 -c64 -d"$DURATION" --latency -s bench/progress.lua "$BASE" -- "$WORK/tokens" 1 >"$WORK/progress.txt"
    summarise "GET /progress/me (64 conn)" "$WORK/progress.txt"
    wrk -t2 -c16 -d"$DURATION" --latency -s bench/login.lua "$BASE" -- 1000 500 "$PASSWORD" >"$WORK/login.txt"
    summarise "POST /auth/login (16 conn)" "$WORK/login.txt"
    # /healthz while a login storm runs: argon2 must not starve other requests.
    wrk -t1 -c32 -d"$DURATION" --latency -s bench/login.lua "$BASE" -- 2000 500 "$PASSWORD" >"$WORK/storm.txt" &
    storm=$!
    sleep 1
    wrk -t1 -c8 -d5s --latency "$BASE/healthz" >"$WORK/healthz-storm.txt"
    wait "$storm"
    summarise "GET /healthz during a login storm (8 conn)" "$WORK/healthz-storm.txt"
    summarise "  (the storm: POST /auth/login, 32 conn)" "$WORK/storm.txt"
    report_latency "10k roster" "$url"
    stop_server
    echo "peak RSS of the server under this load: $((PEAK_RSS_KB / 1024)) MB"

    # 100k roster, ~2M sessions.
    url=$(db_url "$backend" xuefa_bench_100k)
    DATABASE_URL="$url" "$BIN" demo --streets 1 --cadres 100000 --sessions-per-cadre 20 --activities 1000 --questions-per-attempt 20 | grep "^loaded"
    start_server "$url"
    report_latency "100k roster, 2M sessions" "$url"
    stop_server
    echo "peak RSS: $((PEAK_RSS_KB / 1024)) MB"

    if [ "${BENCH_10M:-0}" = 1 ]; then
        url=$(db_url "$backend" xuefa_bench_10m)
        DATABASE_URL="$url" "$BIN" demo --streets 1 --cadres 100000 --sessions-per-cadre 100 --activities 1000 --questions-per-attempt 20 | grep "^loaded"
        start_server "$url"
        report_latency "100k roster, 10M sessions" "$url"
        stop_server
        echo "peak RSS: $((PEAK_RSS_KB / 1024)) MB"
    fi
    fi
    if [ "${BENCH_1M:-0}" = 1 ]; then
        # A province: 1,000,000 cadres with 20 sessions each (the generator shows its
        # progress on stderr and reports its time on the "loaded" line).
        url=$(db_url "$backend" xuefa_bench_1m)
        label="1M roster, ${BENCH_1M_SESSIONS:-20} sessions a cadre"
        if [ -n "${BENCH_BASELINE_BIN:-}" ]; then
            # Before and after in one run, on the same data: the older build makes the set
            # and reads it, then this build's first start migrates it and reads it again.
            DATABASE_URL="$url" "$BENCH_BASELINE_BIN" demo --cadres 1000000 --sessions-per-cadre "${BENCH_1M_SESSIONS:-20}" --activities 1000 --questions-per-attempt 20 | grep "^loaded"
            CURRENT="$BIN"; BIN="$BENCH_BASELINE_BIN"
            start_server "$url"
            report_latency "baseline: $label" "$url"
            figures > "$WORK/before.json"
            stop_server
            BIN="$CURRENT"
            started=$(date +%s%N)
            start_server "$url"
            echo "first start of this build (migrations included): $(( ($(date +%s%N) - started) / 1000000 )) ms"
            # Whatever this build changed in how the reports are computed, the figures it
            # reads from the migrated data must be the older build's, to the unit.
            figures > "$WORK/after.json"
            if cmp -s "$WORK/before.json" "$WORK/after.json"; then
                echo "targets and annual summary: the same figures as the baseline ($(wc -c < "$WORK/after.json") bytes)"
            else
                echo "FIGURES DIFFER from the baseline:" >&2; diff "$WORK/before.json" "$WORK/after.json" | head -20 >&2; exit 1
            fi
        else
            DATABASE_URL="$url" "$BIN" demo --streets 1 --cadres 1000000 --sessions-per-cadre "${BENCH_1M_SESSIONS:-20}" --activities 1000 --questions-per-attempt 20 | grep "^loaded"
            start_server "$url"
        fi
        report_latency "$label" "$url"
        stop_server
        echo "peak RSS: $((PEAK_RSS_KB / 1024)) MB"
    fi
    [ "$backend" = postgres ] && psql -q -h 127.0.0.1 -U postgres -d postgres \
        -c "DROP DATABASE IF EXISTS xuefa_bench_10k" -c "DROP DATABASE IF EXISTS xuefa_bench_100k" \
        -c "DROP DATABASE IF EXISTS xuefa_bench_10m" -c "DROP DATABASE IF EXISTS xuefa_bench_1m" >/dev/null
    rm -f "$WORK"/*.db*
done

# The exam-start storm: 2,000 cadres starting within 10 s (its own data set).
[ "${BENCH_ONLY_1M:-0}" = 1 ] || BENCH_BACKENDS="$BACKENDS" bench/storm.sh

# Uploads as history grows, with reports running, and two instances (issue 18's targets).
[ "${BENCH_ONLY_1M:-0}" = 1 ] || BENCH_BACKENDS="$BACKENDS" bench/uploads.sh
# The live study sessions beside the upload rush (issue 33).
[ "${BENCH_ONLY_1M:-0}" = 1 ] || BENCH_BACKENDS="$BACKENDS" bench/live.sh
