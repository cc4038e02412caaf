#!/usr/bin/env bash
# The exam-start storm (see bench/exam_storm.py and BENCHMARKS.md): 2,000 demo cadres, a
# bank of 2,000 exam questions, every cadre starting within 10 s, on SQLite and then
# PostgreSQL.
#
#   bench/storm.sh
#   BENCH_BACKENDS=sqlite bench/storm.sh
#   BENCH_BASELINE_BIN=/path/to/older/xuefa bench/storm.sh   # before/after in one run
#   BENCH_PACES="2-5" bench/storm.sh                         # one pace only
#
# Two paces of saving by default: 2-5 s between batches of 10 answers (the whole exam
# compressed into half a minute) and 20-60 s (2-6 s a question, still brisk for a person).
# With BENCH_BASELINE_BIN the same storm runs first against that binary and then against
# this tree's, each on a fresh copy of the same generated database (the schema must be
# the same). Needs python3 and, for PostgreSQL, a server on 127.0.0.1:5432 where user
# postgres may create databases. Everything stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
PACES="${BENCH_PACES:-2-5 20-60}"
PORT="${BENCH_PORT:-18191}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
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

psql_admin() { psql -q -h 127.0.0.1 -U postgres -d postgres "$@" >/dev/null; }

for backend in $BACKENDS; do
    echo "=================== exam-start storm, $backend ==================="
    started=$(date +%s)
    case "$backend" in
        sqlite) template_url="sqlite://$WORK/template.db?mode=rwc" ;;
        postgres)
            psql_admin -c "DROP DATABASE IF EXISTS xuefa_storm_template" -c "CREATE DATABASE xuefa_storm_template"
            template_url="postgres://postgres@127.0.0.1:5432/xuefa_storm_template" ;;
    esac
    DATABASE_URL="$template_url" "$BIN" demo --streets 1 --cadres 2000 --sessions-per-cadre 5 --activities 50 --questions-per-attempt 20 | grep "^loaded"
    for pace in $PACES; do
    for run in "${RUNS[@]}"; do
        label="${run%%=*}"; bin="${run#*=}"
        case "$backend" in
            sqlite)
                rm -f "$WORK"/run.db*
                cp "$WORK/template.db" "$WORK/run.db"
                url="sqlite://$WORK/run.db?mode=rwc" ;;
            postgres)
                psql_admin -c "DROP DATABASE IF EXISTS xuefa_storm_run" -c "CREATE DATABASE xuefa_storm_run TEMPLATE xuefa_storm_template"
                url="postgres://postgres@127.0.0.1:5432/xuefa_storm_run" ;;
        esac
        DATABASE_URL="$url" XUEFA_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$bin" serve >"$WORK/server.log" 2>&1 &
        server=$!
        for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
        echo "--- $label ($bin), $pace s between saves"
        python3 bench/exam_storm.py "$BASE" --cadres 2000 --bank 2000 --spread 10 --think "$pace" || echo "the storm's checks FAILED"
        kill "$server"; wait "$server" 2>/dev/null || true
    done
    done
    [ "$backend" = postgres ] && psql_admin -c "DROP DATABASE IF EXISTS xuefa_storm_run" -c "DROP DATABASE IF EXISTS xuefa_storm_template"
    echo "($backend storm stage: $(( $(date +%s) - started )) s)"
done
