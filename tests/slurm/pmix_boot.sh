#!/usr/bin/env bash
# pmix_boot.sh - engine/pmix_boot.c (through tests/slurm/pmix_boot_test): without a PMIx
# server the engine says so and reads its connection file; under srun --mpi=pmix on the
# private Slurm, 16 tasks on 4 nodes get rank 0's connection info with only rank 0
# reading a file, and their ranks as engine ids; a rank 0 that is slow to find the file
# is waited for; a rank 0 that cannot load it makes every task fail with its reason; a
# rank 0 that dies leaves no task hanging.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/slurm/slurm_lib.sh"

BOOT=$top_builddir/tests/slurm/pmix_boot_test
[ -x "$BOOT" ] || skip "$BOOT not built (configure found no PMIx: apt-get install libpmix-dev)"
T=60

cat > "$TMP/engine.json" <<'EOF'
{"ssh": "", "interface": "tcp://*", "registration": 35561, "control": 35399, "mux": 51901,
 "task": 56495, "iopub": 36313, "hb_ping": 42289, "hb_pong": 57989, "broadcast": [37687, 36469],
 "key": "ef8d4a5c-44e8", "curve_serverkey": null, "location": "10.1.2.3", "pack": "json",
 "unpack": "json", "signature_scheme": "hmac-sha256"}
EOF
export IPPC_PMIX_TEST_FILE=$TMP/engine.json
local_line='task - id_hint -1 registration 35561 key ef8d4a5c-44e8 location 10.1.2.3'

# --- no PMIx server --------------------------------------------------------------
out=$("$BOOT" 2>&1)
if [ "$out" = "task - loads the connection file $TMP/engine.json
$local_line" ]; then
    ok "outside a PMIx job: PMIx not tried, the connection file is read"
else
    fail "outside a PMIx job: got: $out"
fi
out=$("$BOOT" --pmix 2>&1)
if grep -q -- '--pmix given, but no PMIx server answered (PMIx_Init: UNREACHABLE): loading the connection info without PMIx' <<<"$out" &&
    grep -qx "$local_line" <<<"$out"; then
    ok "--pmix without a PMIx server: one warning, then the connection file is read"
else
    fail "--pmix without a PMIx server: got: $out"
fi

slurm_start || { fail "private Slurm did not start"; finish; exit 1; }

# --- 16 tasks on 4 nodes ---------------------------------------------------------
# PMIx is detected from the environment (PMIX_NAMESPACE): no --pmix here.
timeout $T srun --mpi=pmix -N4 -n16 "$BOOT" > "$TMP/boot.out" 2> "$TMP/boot.err"
rc=$?
want=$(for r in $(seq 0 15); do echo "task $r id_hint $r registration 35561 key ef8d4a5c-44e8 location 10.1.2.3"; done)
got=$(grep ' id_hint ' "$TMP/boot.out" | sort -n -k2)
if [ $rc = 0 ] && [ "$got" = "$want" ]; then
    ok "srun --mpi=pmix -n 16: every task has rank 0's connection info and its rank as id"
else
    fail "srun --mpi=pmix -n 16: status $rc, got: $got $(cat "$TMP/boot.err")"
fi
loads=$(grep -c 'loads the connection file' "$TMP/boot.out")
grep -q '^task 0 loads the connection file' "$TMP/boot.out" && [ "$loads" = 1 ] &&
    ok "srun --mpi=pmix -n 16: only rank 0 read the connection file" ||
    fail "srun --mpi=pmix -n 16: $loads tasks read the file: $(grep loads "$TMP/boot.out")"

# --- a rank 0 slow to find the file is waited for; the others apply --location -------
# (rank 0 applies it in the real connect_load_info, which the test replaces)
start=$(date +%s)
got=$(IPPC_PMIX_TEST_DELAY=2 timeout $T srun --mpi=pmix -N4 -n4 "$BOOT" --pmix --location 192.0.2.9 2>&1)
took=$(($(date +%s) - start))
if [ "$(grep -c '^task [123] id_hint [123] .* location 192.0.2.9$' <<<"$got")" = 3 ] &&
    grep -q '^task 0 id_hint 0 ' <<<"$got" && [ $took -ge 2 ]; then
    ok "rank 0 finding the file 2 s late: the other tasks wait for it (${took}s) and apply --location"
else
    fail "rank 0 finding the file 2 s late: after ${took}s got: $got"
fi

# --- rank 0 cannot load the file: every task fails with its reason ----------------
start=$(date +%s)
IPPC_PMIX_TEST_FILE=$TMP/missing.json timeout $T srun --mpi=pmix -N4 -n4 "$BOOT" > "$TMP/fail.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
others=$(grep -c "^task [123]: error: rank 0 of PMIx job slurm.pmix.[0-9.]* could not load the connection info: .*missing.json" "$TMP/fail.out")
if [ $rc != 0 ] && [ $rc != 124 ] && [ "$others" = 3 ] && grep -q '^task 0: error: .*missing.json' "$TMP/fail.out"; then
    ok "rank 0 without a connection file: every task exits 1 naming rank 0's reason (${took}s)"
else
    fail "rank 0 without a connection file: srun status $rc after ${took}s: $(cat "$TMP/fail.out")"
fi

# --- rank 0 dies before sharing: no task hangs -------------------------------------
# Either Slurm aborts the step (its PMIx server saw rank 0 exit without PMIx_Finalize) or
# the others give up at their Fence deadline (pmix_boot_test: --timeout + 1 + 2 s;
# engines: --timeout + 1 + 30 s) - which one depends on timing.
start=$(date +%s)
IPPC_PMIX_TEST_DIE=1 timeout $T srun --mpi=pmix -N4 -n4 "$BOOT" --timeout 1 > "$TMP/die.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
deadline=$(grep -c '^task [123]: error: PMIx_Fence of the 4 ranks of slurm.pmix.[0-9.]*: not complete after 4 s' "$TMP/die.out")
if [ $rc != 0 ] && [ $rc != 124 ] && ! grep -q ' id_hint ' "$TMP/die.out" &&
    { [ "$deadline" = 3 ] || grep -q 'Job step aborted' "$TMP/die.out"; }; then
    ok "rank 0 dying before it shares: the step ends in ${took}s ($([ "$deadline" = 3 ] && echo "Fence deadline" || echo "aborted by Slurm"))"
else
    fail "rank 0 dying before it shares: srun status $rc after ${took}s: $(cat "$TMP/die.out")"
fi

# --- a step without PMIx (--mpi=none) but --pmix: each task falls back --------------
got=$(timeout $T srun --mpi=none -N2 -n2 "$BOOT" --pmix 2>&1)
[ "$(grep -c 'no PMIx server answered' <<<"$got")" = 2 ] && [ "$(grep -c ' id_hint -1 ' <<<"$got")" = 2 ] &&
    ok "srun --mpi=none with --pmix: both tasks say there is no PMIx server and read the file" ||
    fail "srun --mpi=none with --pmix: got: $got"

finish
