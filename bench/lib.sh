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

# `--streets 1` for a build whose demo makes a district (one street keeps the data set the
# size the figures were taken at); nothing for an older build, whose demo is one street.
one_street() { # binary
    if "$1" demo --help 2>/dev/null | grep -q -- --streets; then echo "--streets 1"; fi
}
