#!/usr/bin/env bash
# Memory through a login storm: every login hashes with argon2id (19 MiB a hash), so a
# storm is the server's largest transient allocation. For each binary given (default: this
# tree's release build), on a fresh SQLite demo street of 2,000 cadres: RSS at rest, peak
# RSS (VmHWM) and RSS right after 20 s of 32 connections logging in, and RSS 5 s later.
#
#   bench/login_memory.sh                          # this tree
#   bench/login_memory.sh /path/a /path/b ...      # several builds, interleaved twice
#
# Needs wrk. Every load stays on loopback and ends by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

PORT="${BENCH_PORT:-18193}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
PASSWORD="xuefa-demo-2026"
export XUEFA_ADMIN_PASSWORD="Bench-Intranet-2026"
# The benchmark signs in as the first administrator with a password, as a test would:
# the 等保 switches that would ask it to change it or enrol a second factor are off.
export XUEFA_FORCE_PASSWORD_CHANGE=0 XUEFA_2FA_REQUIRED_FOR=none XUEFA_PASSWORD_MAX_AGE_DAYS=0
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
[ $# -eq 0 ] && set -- "$(bench_bin)"

rss_mb() { awk -v k="$2" '$1 == k":" {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

measure() { # binary
    local db="sqlite://$WORK/memory.db?mode=rwc"
    rm -f "$WORK"/memory.db*
    DATABASE_URL="$db" "$1" demo --streets 1 --cadres 2000 --activities 10 >/dev/null
    DATABASE_URL="$db" XUEFA_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$1" serve >"$WORK/server.log" 2>&1 &
    local server=$!
    until curl -sf "$BASE/readyz" >/dev/null; do sleep 0.2; done
    local rest; rest=$(rss_mb "$server" VmRSS)
    wrk -t2 -c32 -d20s -s bench/login.lua "$BASE" -- 1 2000 "$PASSWORD" >"$WORK/login.txt"
    local after; after=$(rss_mb "$server" VmRSS)
    local peak; peak=$(rss_mb "$server" VmHWM)
    sleep 5
    local later; later=$(rss_mb "$server" VmRSS)
    local rate; rate=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$WORK/login.txt")
    printf '%-40s at rest %6s MB  peak %6s MB  after %6s MB  5 s later %6s MB  (%s logins/s)\n' \
        "$1" "$rest" "$peak" "$after" "$later" "$rate"
    kill "$server"; wait "$server" 2>/dev/null || true
}

rounds=1
[ $# -gt 1 ] && rounds=2
for _ in $(seq 1 "$rounds"); do
    for bin in "$@"; do measure "$bin"; done
done
