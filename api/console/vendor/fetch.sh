#!/usr/bin/env bash
# Re-fetches the vendored browser code from the npm registry and checks it against the
# pinned hash (see README.md). Run from anywhere; needs npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack htm@3.1.1 --silent >/dev/null
tar xzf htm-3.1.1.tgz
expected=72284e8e9079c87817145df1110f74e8a2aa040b2fc384922e18dfcb46fc1fd7
actual="$(sha256sum package/preact/standalone.module.js | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
    echo "htm@3.1.1 preact/standalone.module.js: sha256 $actual, expected $expected" >&2
    exit 1
fi
cp package/preact/standalone.module.js "$here/htm-preact-standalone.module.js"
cp package/LICENSE "$here/LICENSE-htm.txt"
echo "htm-preact-standalone.module.js: verified ($expected)"
