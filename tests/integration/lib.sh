# lib.sh - shared helpers for the shell integration tests (sourced, not run).
# Every test: `. "$top_srcdir/tests/integration/lib.sh"`, then use these.
set -u
: "${top_srcdir:?run through make check (top_srcdir unset)}"
: "${top_builddir:?run through make check (top_builddir unset)}"
: "${PYTHON3:=/usr/bin/python3}"
: "${tools:=$top_builddir/tests/tools}"

fails=0
passes=0
ok()   { passes=$((passes + 1)); echo "ok - $*"; }
fail() { fails=$((fails + 1)); echo "FAIL - $*"; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# A private temporary directory, removed on exit; also the place for pid files.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ippc-test.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Skip unless /usr/bin/python3 imports the named modules.
need_python_modules() {
    for m in "$@"; do
        "$PYTHON3" -c "import $m" 2>/dev/null || skip "python module $m not importable by $PYTHON3 (apt-get install python3-${m//_/-})"
    done
}

# Wait until a file exists (up to $2 seconds).
wait_for_file() {
    local f=$1 t=${2:-30} i
    for i in $(seq $((t * 10))); do [ -s "$f" ] && return 0; sleep 0.1; done
    return 1
}

finish() {
    echo "$passes passed, $fails failed"
    [ "$fails" -eq 0 ]
}
