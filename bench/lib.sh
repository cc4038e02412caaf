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

# A fresh database for a data set: a SQLite file under $WORK, or a PostgreSQL database
# dropped and made again.
db_url() { # backend name
    case "$1" in
        sqlite) echo "sqlite://$WORK/$2.db?mode=rwc" ;;
        postgres)
            psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $2" -c "CREATE DATABASE $2" >/dev/null
            echo "postgres://postgres@127.0.0.1:5432/$2" ;;
    esac
}

# An access token from the server at $BASE.
token() { # username password
    curl -sf -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# The median of 5 warm GETs (one more first, to warm), in ms.
median_ms() { # url token
    for _ in 1 2 3 4 5 6; do curl -s -o /dev/null -w "%{time_total}\n" "$1" -H "Authorization: Bearer $2"; done |
        tail -n 5 | sort -n | sed -n 3p | awk '{printf "%.1f", $1 * 1000}'
}

# A wrk run (`--latency`) in one line: "label req/s p50 p99 non-2xx"; leaves the rate in
# $RATE and the 2xx count in $OK (uploads.sh, live.sh).
summarise() { # label wrk-output
    python3 - "$1" "$2" "$WORK/last" <<'PY'
import re, sys
name, path, last = sys.argv[1:4]
text = open(path).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
def pct(p):
    m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", text)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
bad = int(re.search(r"Non-2xx or 3xx responses: (\d+)", text).group(1)) if "Non-2xx" in text else 0
print(f"{name:<52} {rps:>8.0f} req/s  p50 {pct(50):>7.2f} ms  p99 {pct(99):>7.2f} ms  non-2xx {bad}")
open(last, "w").write(f"{rps:.0f} {total - bad}\n")
PY
    read -r RATE OK <"$WORK/last"
}
