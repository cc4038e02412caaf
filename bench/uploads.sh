#!/usr/bin/env bash
# Study uploads as history grows, with reports running, and with two instances (see
# BENCHMARKS.md; how it came about: docs/bench-log.md). 64 cadres share 64 connections, every request a
# new valid session, on a fresh database per binary with 64 cadres for each of 1 + BENCH_PAIRS
# groups:
#
#   -  fill rushes (not measured) until each of the first group has 500+ sessions
#   A  10 s rush by a fresh group, no stored history      -> the rate with none
#   B  10 s rush by the first group, 500+ stored a cadre  -> B / A, the cost of history
#      (A and B run back to back on the same table, so B / A is the cost of a cadre's
#      own history, not of the table having grown; they alternate BENCH_PAIRS times, 3
#      by default, each A by a group of its own, and B / A is the ratio of their sums:
#      one binary's rate moves by 10-15 % between rushes, so a single pair can read 0.84
#      or 1.10 for the same code)
#   C  10 s rush while 2 connections read GET /campaigns/1/targets -> report p99, C / D
#   D  10 s rush without the reports
#   C2 10 s rush while the targets are read ten times a second (an office's pace) -> C2 / D
#   E  (PostgreSQL) 10 s rush through two server instances on one database, 32 connections
#      each -> the sum against D
#
# Each rush uploads into its own days (three days apart), later than every rush before
# it, so the stored history always lies before the new sessions, where the overlap check
# looks. Every upload is accepted: any non-2xx shows in the line.
#
#   bench/uploads.sh
#   BENCH_BACKENDS=sqlite bench/uploads.sh
#   BENCH_BASELINE_BIN=/path/to/older/xuefa bench/uploads.sh   # before/after in one run
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
PAIRS="${BENCH_PAIRS:-3}"
PORT="${BENCH_PORT:-18192}"
WORK="$(mktemp -d)"
PASSWORD="xuefa-demo-2026"
export XUEFA_ADMIN_PASSWORD="Bench-Intranet-2026"
# The benchmark signs in as the first administrator with a password, as a test would:
# the 等保 switches that would ask it to change it or enrol a second factor are off.
export XUEFA_FORCE_PASSWORD_CHANGE=0 XUEFA_2FA_REQUIRED_FOR=none XUEFA_PASSWORD_MAX_AGE_DAYS=0
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
BIN="$(bench_bin)"
RUNS=()
[ -n "${BENCH_BASELINE_BIN:-}" ] && RUNS+=("baseline=$BENCH_BASELINE_BIN")
RUNS+=("this tree=$BIN")
DAY=86400
NOW=$(date +%s)

start_server() { # bin url port
    DATABASE_URL="$2" XUEFA_BIND="127.0.0.1:$3" RUST_LOG=warn "$1" serve >>"$WORK/server-$3.log" 2>&1 &
    echo $! >"$WORK/pid-$3"
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$3/readyz" >/dev/null && return; sleep 0.1; done
    echo "server did not start" >&2; cat "$WORK/server-$3.log" >&2; exit 1
}

stop_server() { # port
    kill "$(cat "$WORK/pid-$1")"; wait "$(cat "$WORK/pid-$1")" 2>/dev/null || true
}

token() { # port username password
    curl -sf -X POST "http://127.0.0.1:$1/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"username\":\"$2\",\"password\":\"$3\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}


# GET url ten times a second for the rush's duration; prints count, p50, p99 and failures.
paced_reports() { # url token
    python3 - "$1" "$2" "${DURATION%s}" <<'PY'
import sys, time, urllib.request
url, token, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
times, failed, start = [], 0, time.monotonic()
while time.monotonic() - start < seconds:
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})) as r:
            r.read()
    except Exception:
        failed += 1
    times.append((time.monotonic() - t0) * 1000)
    time.sleep(max(0.0, 0.1 - (time.monotonic() - t0)))
times.sort()
print(f"{len(times)} requests, p50 {times[len(times) // 2]:.1f} ms, p99 {times[int(len(times) * 0.99)]:.1f} ms, failed {failed}")
PY
}

rush() { # port tokens base-epoch output
    wrk -t2 -c"$(wc -l <"$2")" -d"$DURATION" --latency -s bench/sessions.lua "http://127.0.0.1:$1" -- \
        "$2" 1 "$COURSE" "$3" 2 "$1" >"$4"
}

for backend in $BACKENDS; do
    for run in "${RUNS[@]}"; do
        label="${run%%=*}"; bin="${run#*=}"
        echo "=================== uploads, $backend, $label ==================="
        case "$backend" in
            sqlite) url="sqlite://$WORK/uploads.db?mode=rwc"; rm -f "$WORK"/uploads.db* ;;
            postgres)
                psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS xuefa_uploads" -c "CREATE DATABASE xuefa_uploads" >/dev/null
                url="postgres://postgres@127.0.0.1:5432/xuefa_uploads" ;;
        esac
        DATABASE_URL="$url" "$bin" demo $(one_street "$bin") --cadres $((64 * (PAIRS + 1))) --sessions-per-cadre 0 --activities 0 --questions-per-attempt 20 | grep "^loaded"
        start_server "$bin" "$url" "$PORT"
        : >"$WORK/tokens"
        for n in $(seq 1 64); do token "$PORT" "$(printf 'gb%05d' "$n")" "$PASSWORD" >>"$WORK/tokens"; done
        for pair in $(seq 1 "$PAIRS"); do
            : >"$WORK/fresh-$pair"
            for n in $(seq $((64 * pair + 1)) $((64 * pair + 64))); do
                token "$PORT" "$(printf 'gb%05d' "$n")" "$PASSWORD" >>"$WORK/fresh-$pair"
            done
        done
        HR=$(token "$PORT" hr "$PASSWORD")
        COURSE=$(curl -sf "http://127.0.0.1:$PORT/api/v1/campaigns/1" -H "Authorization: Bearer $HR" | python3 -c 'import json,sys; print(json.load(sys.stdin)["courses"][0]["course_id"])')

        stored=0; base=$((NOW - 60 * DAY))
        while [ "$stored" -lt $((64 * 500)) ]; do
            rush "$PORT" "$WORK/tokens" "$base" "$WORK/fill.txt"
            summarise "   (filling history)" "$WORK/fill.txt" >/dev/null; stored=$((stored + OK))
            base=$((base + 3 * DAY))
        done
        echo "   stored sessions now: $stored ($((stored / 64)) a cadre of the first group)"
        none=0; history=0
        for pair in $(seq 1 "$PAIRS"); do
            # The first group's B rushes take days after the history and before C's.
            days=$((14 + 3 * (PAIRS - pair)))
            rush "$PORT" "$WORK/fresh-$pair" $((NOW - days * DAY)) "$WORK/a.txt"
            summarise "A$pair POST /study-sessions, no history" "$WORK/a.txt"; none=$((none + RATE))
            rush "$PORT" "$WORK/tokens" $((NOW - days * DAY)) "$WORK/b.txt"
            summarise "B$pair POST /study-sessions, $((stored / 64))+ stored a cadre" "$WORK/b.txt"
            history=$((history + RATE)); stored=$((stored + OK))
        done
        echo "   B / A = $(python3 -c "print(f'{$history / $none:.2f}')") (sums of $PAIRS pairs: $history / $none)"

        wrk -t1 -c2 -d"$DURATION" --latency -H "Authorization: Bearer $HR" \
            "http://127.0.0.1:$PORT/api/v1/campaigns/1/targets" >"$WORK/targets.txt" &
        reports=$!
        rush "$PORT" "$WORK/tokens" $((NOW - 11 * DAY)) "$WORK/c.txt"
        wait "$reports"
        summarise "C  POST /study-sessions, reports running" "$WORK/c.txt"; with_reports=$RATE
        summarise "   GET /campaigns/1/targets during C (2 conn)" "$WORK/targets.txt"
        rush "$PORT" "$WORK/tokens" $((NOW - 8 * DAY)) "$WORK/d.txt"
        summarise "D  POST /study-sessions, no reports" "$WORK/d.txt"; alone=$RATE
        echo "   C / D = $(python3 -c "print(f'{$with_reports / $alone:.2f}')")"
        # C2: the reports at an office's pace instead of flat out: ten a second.
        paced_reports "http://127.0.0.1:$PORT/api/v1/campaigns/1/targets" "$HR" >"$WORK/paced.txt" &
        reports=$!
        rush "$PORT" "$WORK/tokens" $((NOW - 5 * DAY)) "$WORK/c2.txt"
        wait "$reports"
        summarise "C2 POST /study-sessions, 10 reports a second" "$WORK/c2.txt"
        echo "   GET /campaigns/1/targets during C2: $(cat "$WORK/paced.txt")"
        echo "   C2 / D = $(python3 -c "print(f'{$RATE / $alone:.2f}')")"

        if [ "$backend" = postgres ]; then
            start_server "$bin" "$url" $((PORT + 1))
            head -n 32 "$WORK/tokens" >"$WORK/tokens-1"
            tail -n 32 "$WORK/tokens" >"$WORK/tokens-2"
            rush "$PORT" "$WORK/tokens-1" $((NOW - 2 * DAY)) "$WORK/e1.txt" &
            first=$!
            rush $((PORT + 1)) "$WORK/tokens-2" $((NOW - 2 * DAY)) "$WORK/e2.txt"
            wait "$first"
            summarise "E  instance 1 of 2 (32 conn)" "$WORK/e1.txt"; one=$RATE
            summarise "E  instance 2 of 2 (32 conn)" "$WORK/e2.txt"; two=$RATE
            echo "   E two instances together: $((one + two)) req/s; / D = $(python3 -c "print(f'{($one + $two) / $alone:.2f}')")"
            stop_server $((PORT + 1))
        fi
        stop_server "$PORT"
    done
    [ "$backend" = postgres ] && psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS xuefa_uploads" >/dev/null
done
