# Shared by the CI scripts.

# Builds the `xuefa` binary and prints its path, wherever cargo puts it (CARGO_TARGET_DIR,
# a build.target-dir setting, or ./target).
xuefa_bin() {
    cargo build --quiet --bin xuefa --message-format=json |
        python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "xuefa":
        print(m["executable"])'
}

# Waits until the server at $1 answers /healthz (10 s at most).
wait_healthy() {
    for _ in $(seq 1 50); do
        curl -sf "$1/healthz" >/dev/null && return 0
        sleep 0.2
    done
    echo "the server at $1 did not come up" >&2
    return 1
}

# Installs the pinned node tools of .ci/clients (package-lock.json) unless the same lock is
# installed already; prints the folder of their commands.
node_tools() {
    local tools=.ci/clients
    local want have
    want="$(sha256sum "$tools/package-lock.json" | cut -d' ' -f1)"
    have="$(cat "$tools/node_modules/.xuefa-lock" 2>/dev/null || true)"
    if [ "$want" != "$have" ]; then
        (cd "$tools" && npm ci --silent --no-audit --no-fund) >&2
        echo "$want" >"$tools/node_modules/.xuefa-lock"
    fi
    echo "$tools/node_modules/.bin"
}
