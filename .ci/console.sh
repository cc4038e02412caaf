#!/usr/bin/env bash
# The console's JavaScript, checked as it is served (no build step):
# - tsc --checkJs over api/console/assets (api/console/jsconfig.json), with the API's types
#   generated from the committed spec by openapi-typescript and Preact's from the pinned
#   packages: a field the spec does not have, or a call the vendored library does not
#   take, is an error;
# - the pinned prettier's formatting (api/console/.prettierrc.json).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

bin="$(node_tools)"
echo "== tsc --checkJs (types from openapi/openapi.json)"
"$bin/openapi-typescript" openapi/openapi.json -o .ci/clients/schema.d.ts >/dev/null 2>&1
"$bin/tsc" -p api/console/jsconfig.json
echo "0 errors in $(ls api/console/assets/*.js | wc -l) files"

echo "== prettier --check"
"$bin/prettier" --check "api/console/assets/*.{js,css}" api/console/index.html
echo "console: 2 passed, 0 failed"
