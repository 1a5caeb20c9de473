#!/usr/bin/env bash
# selfcheck.sh - the main job for now: build ippc and show its protocol layer at work
# against the real Python peers (jupyter_client, the stock ipyparallel package):
#   - a message libippc signs is accepted by jupyter_client, and the other way round;
#   - connection and cluster files of a real ipcontroller load in libippc, and files
#     libippc writes are accepted by the stock Client and Cluster.from_file();
#   - scatter partitions and reprs equal the stock client's.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${BUILD_DIR:-$top/_build}
if [ ! -x "$build/config.status" ]; then
    ./autogen.sh >/dev/null 2>&1
    mkdir -p "$build"
    (cd "$build" && "$top/configure" -q)
fi
make -s -C "$build" -j"$(nproc)" >/dev/null
make -s -C "$build/tests" -j"$(nproc)" tools/ippc-wiretool tools/ippc-filetool tools/ippc-valuetool >/dev/null

export top_srcdir=$top top_builddir=$build tools=$build/tests/tools PYTHON3=/usr/bin/python3
vt=$tools/ippc-valuetool
echo "== ippc $(sed -n "s/^#define PACKAGE_VERSION \"\(.*\)\"/\1/p" "$build/config.h"): protocol self-check"
echo "-- scatter of range(16) over 4 engines, as DirectView.scatter splits it:"
"$vt" scatter 'list(range(16))' 4 2>/dev/null || "$vt" scatter '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]' 4
status=0
for t in jupyter_wire stock_files stock_partition; do
    echo "-- $t"
    bash "tests/integration/$t.sh" || status=1
done
[ $status -eq 0 ] && echo "== self-check passed" || echo "== self-check FAILED"
exit $status
