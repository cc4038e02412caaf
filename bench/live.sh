#!/usr/bin/env bash
# Live study sessions alongside the upload rush (issue 33; see BENCHMARKS.md): 10,000
# cadres each with a live session sending a heartbeat every 30 s (about 333 heartbeats a
# second, paced), while 64 cadres upload study sessions flat out. On a fresh database
# per backend with 10,064 enrolled cadres:
#
#   H   20 s of heartbeats alone                      -> heartbeat p50/p99, rate
#   D   10 s upload rush alone                        -> the upload rate without heartbeats
#   DH  10 s upload rush with the heartbeats running  -> DH / D, and the heartbeat p99
#       (D and DH alternate twice; DH / D is the ratio of their sums)
#
# Goal: heartbeat p99 < 50 ms and DH / D >= 0.9, on SQLite and PostgreSQL. The server
# writes the running sessions every 15 s (half of XUEFA_HEARTBEAT_SECONDS=30), so each
# 20 s and 10 s window holds at least one such write.
#
#   bench/live.sh
#   BENCH_BACKENDS=sqlite bench/live.sh
#   BENCH_BASELINE_BIN=/path/to/older/xuefa bench/live.sh   # before/after in one run
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
PORT="${BENCH_PORT:-18196}"
LIVE="${BENCH_LIVE:-10000}"
WORK="$(mktemp -d)"
PASSWORD="xuefa-demo-2026"
SECRET="bench-live-secret-0123456789abcdef0123456789"
export XUEFA_ADMIN_PASSWORD="Bench-Intranet-2026" XUEFA_JWT_SECRET="$SECRET"
# The benchmark signs in with a password, as a test would: the 等保 switches that would
# ask it to change it or enrol a second factor are off.
export XUEFA_FORCE_PASSWORD_CHANGE=0 XUEFA_2FA_REQUIRED_FOR=none XUEFA_PASSWORD_MAX_AGE_DAYS=0
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
BIN="$(bench_bin)"
RUNS=()
[ -n "${BENCH_BASELINE_BIN:-}" ] && RUNS+=("baseline=$BENCH_BASELINE_BIN")
RUNS+=("this tree=$BIN")
NOW=$(date +%s)
DAY=86400
BASE="http://127.0.0.1:$PORT"


heartbeats() { # seconds output
    # 20 connections, each pausing 60 ms: about 333 a second at a few ms a heartbeat.
    wrk -t2 -c20 -d"$1" --latency -s bench/heartbeats.lua "$BASE" -- "$WORK/live" 60 2 >"$2"
}

rush() { # base-epoch output
    wrk -t2 -c64 -d10s --latency -s bench/sessions.lua "$BASE" -- \
        "$WORK/tokens" 1 "$COURSE" "$1" 2 "$PORT" >"$2"
}

for backend in $BACKENDS; do
    for run in "${RUNS[@]}"; do
        label="${run%%=*}"; bin="${run#*=}"
        echo "=================== live sessions, $backend, $label ==================="
        rm -f "$WORK"/xuefa_live.db*
        url="$(db_url "$backend" xuefa_live)"
        DATABASE_URL="$url" "$bin" demo $(one_street "$bin") --cadres $((LIVE + 64)) --sessions-per-cadre 0 --activities 0 --questions-per-attempt 20 | grep "^loaded"
        DATABASE_URL="$url" XUEFA_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$bin" serve >>"$WORK/server.log" 2>&1 &
        server=$!
        for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
        HR=$(token hr "$PASSWORD")
        COURSE=$(curl -sf "$BASE/api/v1/campaigns/1" -H "Authorization: Bearer $HR" | python3 -c 'import json,sys; print(json.load(sys.stdin)["courses"][0]["course_id"])')
        : >"$WORK/tokens"
        for n in $(seq $((LIVE + 1)) $((LIVE + 64))); do token "$(printf 'gb%05d' "$n")" "$PASSWORD" >>"$WORK/tokens"; done
        python3 bench/live_setup.py "$BASE" "$SECRET" 1 "$COURSE" "$LIVE" "$WORK/live"
        echo "   $(wc -l <"$WORK/live") sessions sending heartbeats"

        heartbeats 20s "$WORK/h.txt"
        summarise "H  heartbeats alone (paced, 20 conn)" "$WORK/h.txt"
        # Two pairs, alternating, and the ratio of their sums: one 10 s rush moves by
        # 10 % from the next on this machine.
        alone=0; together=0
        for pair in 1 2; do
            rush $((NOW - (20 + 4 * pair) * DAY)) "$WORK/d.txt"
            summarise "D$pair POST /study-sessions alone (64 conn)" "$WORK/d.txt"; alone=$((alone + RATE))
            heartbeats 12s "$WORK/dh-h.txt" &
            beats=$!
            sleep 1
            rush $((NOW - (10 + 4 * pair) * DAY)) "$WORK/dh.txt"
            wait "$beats"
            summarise "DH$pair POST /study-sessions with the heartbeats" "$WORK/dh.txt"; together=$((together + RATE))
            summarise "   heartbeats during DH$pair" "$WORK/dh-h.txt"
        done
        echo "   DH / D = $(python3 -c "print(f'{$together / $alone:.2f}')") (sums of two pairs: $together / $alone)"
        # The server's own account of its writes of the running sessions.
        curl -sf "$BASE/metrics" | python3 -c '
import re, sys
text = sys.stdin.read()
get = lambda name: float(re.search(name + r"\{writer=\"live\"\} ([\d.e+-]+)", text).group(1))
n, rows, secs = get("xuefa_group_commit_seconds_count"), get("xuefa_group_commit_size_sum"), get("xuefa_group_commit_seconds_sum")
print(f"   live sessions written: {n:.0f} writes of {rows / max(n, 1):.0f} sessions on average, {1000 * secs / max(n, 1):.0f} ms each")'
        echo "   GET /campaigns/1/targets (10k roster, median of 5): $(median_ms "$BASE/api/v1/campaigns/1/targets" "$HR") ms"
        kill "$server"; wait "$server" 2>/dev/null || true
    done
done
