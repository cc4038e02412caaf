# Shared by the bench scripts.

# The server binary to measure: BENCH_BIN when set (an existing build, nothing is built),
# else this tree's release build (built now, wherever cargo puts it: CARGO_TARGET_DIR or
# ./target).
bench_bin() {
    if [ -n "${BENCH_BIN:-}" ]; then
        echo "$BENCH_BIN"
        return
    fi
    cargo build --release --quiet --bin xuefa >&2
    echo "${CARGO_TARGET_DIR:-target}/release/xuefa"
}
