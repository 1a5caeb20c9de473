#!/bin/bash
# stock_partition.sh - ippc's value model against the stock ipyparallel package and
# numpy: scatter bounds and parts, gather, repr of literals, floats and ndarrays.
# The comparisons live in stock_partition.py; this reports its ok/fail lines.
. "$top_srcdir/tests/integration/lib.sh"

need_python_modules ipyparallel numpy
tool="$tools/ippc-valuetool"
[ -x "$tool" ] || skip "$tool not built (make check builds it)"

if ! "$PYTHON3" "$top_srcdir/tests/integration/stock_partition.py" "$tool" "$TMP" >"$TMP/results" 2>"$TMP/errors"; then
    fail "stock_partition.py failed: $(tail -n 3 "$TMP/errors")"
fi
while read -r status desc; do
    case $status in
    ok) ok "$desc" ;;
    fail) fail "$desc" ;;
    esac
done <"$TMP/results"
[ -s "$TMP/results" ] || fail "stock_partition.py reported nothing"
finish
