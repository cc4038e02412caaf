#!/usr/bin/env bash
# deploy/xuefa.service: `systemd-analyze verify` passes, and `systemd-analyze security`
# rates it OK (overall exposure at most 2.0; docs/OPERATIONS.md has the figure).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/target/release/xuefa"
[ -x "$bin" ] || { echo "build the release binary first (cargo build --release)" >&2; exit 1; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
# verify wants ExecStart's program to exist: the same unit, pointing at the binary just built.
sed "s#^ExecStart=/usr/local/bin/xuefa #ExecStart=$bin #" deploy/xuefa.service >"$dir/xuefa.service"
grep -q "^ExecStart=$bin serve" "$dir/xuefa.service"
systemd-analyze verify "$dir/xuefa.service"
systemd-analyze security --offline=yes --threshold=20 "$dir/xuefa.service" | tail -n 1
