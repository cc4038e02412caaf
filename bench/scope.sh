#!/usr/bin/env bash
# Data scope (管理范围) at a district's size: how long a street's, the district's and the
# whole installation's targets and annual summary take on a 1,000,000-member district,
# and — before and after scope, in one run — whether the unscoped figures slowed down.
#
#   bench/scope.sh                        # both backends
#   BENCH_BACKENDS=sqlite bench/scope.sh
#   BENCH_BIN=/path/to/xuefa bench/scope.sh             # measure that build
#   BENCH_BASELINE_BIN=/path/to/older/xuefa bench/scope.sh
#       # also: the older build (before scope) makes a 1,000,000-cadre street and reads its
#       # figures, then this build migrates the same database and reads them again
#   BENCH_SCOPE_STREETS=20 BENCH_SCOPE_CADRES=50000 BENCH_SCOPE_SESSIONS=2 (the defaults)
#
# The district is `xuefa demo --streets S --cadres C` (C cadres a street). `hr` is the
# first street's HR (scoped to it), `qu-hr` the district's (scoped to the district), and
# `admin` is unscoped. Each figure is the median of 5 warm requests.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
STREETS="${BENCH_SCOPE_STREETS:-20}"
CADRES="${BENCH_SCOPE_CADRES:-50000}"
SESSIONS="${BENCH_SCOPE_SESSIONS:-2}"
PORT="${BENCH_PORT:-18191}"
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


start_server() { # binary url
    DATABASE_URL="$2" XUEFA_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$1" serve >"$WORK/server.log" 2>&1 &
    SERVER=$!
    while kill -0 "$SERVER" 2>/dev/null; do curl -sf "$BASE/readyz" >/dev/null && return; sleep 0.2; done
    echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}

stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }



# "who: targets N ms (roster R), annual summary M ms" for one account.
measure() { # label username password
    local t; t=$(token "$2" "$3")
    local year; year=$(date +%Y)
    local roster
    roster=$(curl -sf "$BASE/api/v1/campaigns/1/targets" -H "Authorization: Bearer $t" | python3 -c 'import json,sys; print(json.load(sys.stdin)["roster"])')
    printf '%-44s targets %7s ms (roster %7s), annual summary %7s ms\n' "$1" \
        "$(median_ms "$BASE/api/v1/campaigns/1/targets" "$t")" "$roster" \
        "$(median_ms "$BASE/api/v1/reports/annual/$year" "$t")"
}

figures() { # username password: the targets and the annual summary as JSON
    local t; t=$(token "$1" "$2")
    for path in "campaigns/1/targets" "reports/annual/$(date +%Y)"; do
        curl -sf "$BASE/api/v1/$path" -H "Authorization: Bearer $t"; echo
    done
}

for backend in $BACKENDS; do
    echo "=================== $backend ==================="
    if [ -n "${BENCH_BASELINE_BIN:-}" ]; then
        # Before and after on the same data: the older build's one street of 1,000,000
        # cadres, read by it, then by this build (everyone unscoped after the migration).
        url=$(db_url "$backend" xuefa_scope_base)
        DATABASE_URL="$url" "$BENCH_BASELINE_BIN" demo --cadres 1000000 --sessions-per-cadre "$SESSIONS" --activities 1000 --questions-per-attempt 20 | grep "^loaded"
        start_server "$BENCH_BASELINE_BIN" "$url"
        measure "before scope (baseline build), hr, unscoped" hr "$PASSWORD"
        figures hr "$PASSWORD" >"$WORK/before.json"
        stop_server
        start_server "$BIN" "$url"
        measure "after scope (this build), hr, unscoped" hr "$PASSWORD"
        figures hr "$PASSWORD" >"$WORK/after.json"
        stop_server
        if cmp -s "$WORK/before.json" "$WORK/after.json"; then
            echo "the same figures before and after ($(wc -c <"$WORK/after.json") bytes)"
        else
            # The annual summary gained `unit` and `by_unit`; everything else must agree.
            python3 - "$WORK/before.json" "$WORK/after.json" <<'PY'
import json, sys
before = [json.loads(l) for l in open(sys.argv[1])]
after = [json.loads(l) for l in open(sys.argv[2])]
for a in after:
    a.pop("unit", None)
    if "campaigns" in a:
        a.pop("by_unit", None)
if before != after:
    sys.exit("FIGURES DIFFER from the baseline")
print("the same figures before and after (the summary's new unit and by_unit aside)")
PY
        fi
        [ "$backend" = postgres ] && psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS xuefa_scope_base" >/dev/null
        rm -f "$WORK"/*.db*
    fi
    url=$(db_url "$backend" xuefa_scope)
    DATABASE_URL="$url" "$BIN" demo --streets "$STREETS" --cadres "$CADRES" --sessions-per-cadre "$SESSIONS" --activities 50 --questions-per-attempt 20 | grep "^loaded"
    start_server "$BIN" "$url"
    measure "a street (hr, $CADRES members)" hr "$PASSWORD"
    measure "the district (qu-hr, scoped to it)" qu-hr "$PASSWORD"
    measure "the whole installation (admin, unscoped)" admin "$XUEFA_ADMIN_PASSWORD"
    stop_server
    [ "$backend" = postgres ] && psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS xuefa_scope" >/dev/null
    rm -f "$WORK"/*.db*
done
