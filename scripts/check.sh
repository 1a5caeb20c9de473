#!/usr/bin/env bash
# check.sh - build from this checkout and run every test the way CI does:
#   1. the normal build (_build/) and `make check`;
#   2. an ASan+UBSan build (_build-san/) and `make check` again (without the stock
#      suites, which exercise the same code for minutes);
#   3. `make distcheck` (the release tarball builds and passes its tests).
# Prints "N passed, N failed" at the end; exit 0 only when every step passed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=${JOBS:-$(nproc)}

status=0
total_pass=0
total_fail=0

# Add the PASS/FAIL (and XPASS/ERROR) counts of a build tree's test logs.
count() {
    local log
    for log in $(find "$1" -name test-suite.log); do
        local p f
        p=$(awk '/^# PASS:/ {s+=$3} /^# XFAIL:/ {s+=$3} END {print s+0}' "$log")
        f=$(awk '/^# FAIL:/ {s+=$3} /^# XPASS:/ {s+=$3} /^# ERROR:/ {s+=$3} END {print s+0}' "$log")
        total_pass=$((total_pass + p))
        total_fail=$((total_fail + f))
    done
}

step() {
    echo "=== $*"
    "$@" || { echo "=== FAILED: $*"; status=1; }
}

./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed"; ./autogen.sh; exit 1; }

build() { # dir, configure args...
    local dir=$1; shift
    rm -rf "$dir" && mkdir -p "$dir" &&
        (cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs" && make -s -j"$jobs" check)
}

step build _build
count _build
step build _build-san --enable-sanitizers --disable-shared --disable-compat-tests
count _build-san
step bash -c "cd _build && make -s -j$jobs distcheck >/dev/null"

for log in $(find _build _build-san -name test-suite.log 2>/dev/null); do
    grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]' "$log" && { echo "--- $log"; cat "$log"; }
done
# Last, where a truncated CI log still shows it: each failed test's failing checks, with
# a few lines of what followed them.
for trs in $(find _build _build-san -name '*.trs' 2>/dev/null | sort); do
    grep -q '^:test-result: \(FAIL\|ERROR\)' "$trs" || continue
    echo "--- failed: ${trs%.trs}"
    grep -i -A4 '^\(FAIL\|not ok\)\b\|:[FE]:' "${trs%.trs}.log" | cut -c1-300 | head -30
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] || status=1
exit $status
