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
