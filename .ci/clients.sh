#!/usr/bin/env bash
# Clients generated from the committed spec, as a client team would make them:
# - Redocly (@redocly/cli, recommended rules) lints the spec: 0 errors;
# - openapi-python-client generates a Python client with no warning;
# - openapi-typescript generates types that a smoke script uses, compiled `tsc --strict`;
# - both smoke scripts run against a real server loaded with the demo street: log in,
#   read progress, upload a study session, download an XLSX export (Python also imports a
#   roster CSV). Tool versions are pinned here and in .ci/clients/package(-lock).json.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

PORT="${CLIENTS_PORT:-18094}"
BASE="http://127.0.0.1:$PORT"
tools=.ci/clients
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

python3 -m pip install --quiet --disable-pip-version-check 'openapi-python-client==0.29.1' 2>&1 |
    grep -v -i "warning" || true
bin="$(node_tools)"

echo "== redocly lint"
"$bin/redocly" lint openapi/openapi.json --config "$tools/redocly.yaml" --format=summary 2>&1 |
    grep -v -E "Node.js|^\s*[║╔╚]" | tee "$work/lint.log"
grep -q "valid" "$work/lint.log" || { echo "redocly found errors"; exit 1; }

echo "== openapi-python-client"
openapi-python-client generate --path openapi/openapi.json --output-path "$work/xuefa_client" \
    --meta none --config "$tools/pyconfig.yaml" >"$work/py.log" 2>&1 || { cat "$work/py.log"; exit 1; }
if grep -q -i -E "warning|error|unable|cannot" "$work/py.log"; then
    cat "$work/py.log"; echo "the Python generator warned"; exit 1
fi
echo "generated $(ls "$work/xuefa_client/api" | wc -l) API groups, $(ls "$work/xuefa_client/models" | wc -l) models"

echo "== openapi-typescript + tsc --strict"
"$bin/openapi-typescript" openapi/openapi.json -o "$tools/schema.d.ts" >/dev/null
(cd "$tools" && ./node_modules/.bin/tsc -p tsconfig.json)

echo "== smoke scripts against a running server"
server_bin="$(xuefa_bin)"
db="sqlite://$work/clients.db?mode=rwc"
DATABASE_URL="$db" XUEFA_ADMIN_PASSWORD=Clients-Intranet-2026 "$server_bin" demo --cadres 20 --activities 12 --questions-per-attempt 10 >/dev/null
DATABASE_URL="$db" XUEFA_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$server_bin" serve >"$work/server.log" 2>&1 &
server=$!
wait_healthy "$BASE"
XUEFA_BASE="$BASE" PYTHONPATH="$work" python3 "$tools/smoke.py"
XUEFA_BASE="$BASE" node "$tools/out/smoke.js"
echo "clients: 2 passed, 0 failed"
