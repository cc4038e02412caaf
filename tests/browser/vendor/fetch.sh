#!/usr/bin/env bash
# Re-fetches the vendored test code from the npm registry and checks it against the pinned
# hash (see README.md). Run from anywhere; needs npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack axe-core@4.14.1 --silent >/dev/null
tar xzf axe-core-4.14.1.tgz
expected=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
actual="$(sha256sum package/axe.min.js | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
    echo "axe-core@4.14.1 axe.min.js: sha256 $actual, expected $expected" >&2
    exit 1
fi
cp package/axe.min.js "$here/axe.min.js"
cp package/LICENSE "$here/LICENSE-axe-core.txt"
echo "axe.min.js: verified ($expected)"
