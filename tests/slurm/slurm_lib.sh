# slurm_lib.sh - a private Slurm cluster for the tests (sourced after
# tests/integration/lib.sh, whose ok/fail/skip/finish, TMP and cleanup it uses).
#
# slurm_start: munged, slurmctld and SL_NODES (4) slurmd on 127.0.0.1, nodes n1..nN with
#   SL_CPUS (4) CPUs each in one partition "debug", on free ports picked at random below
#   the ephemeral range (retried when a port turns out to be taken). Every file (slurm.conf,
#   munge key and socket, state, spool, per-node TmpFS, logs) is under one temp dir, SL_DIR.
#   The daemons run in the foreground as children of the test, each in a session of its
#   own, and their pids are recorded in SL_PIDS; nothing is found by name. Exports
#   SLURM_CONF, so sinfo/srun/sbatch/squeue/scancel talk to this cluster, and drops any
#   SLURM_*/PMIX_* variables inherited from an outer job. Returns once every node is idle
#   (deadline SL_TIMEOUT, 30 s); on failure shows the log tails and fails the test.
#   MpiDefault is none: steps ask for PMIx with `srun --mpi=pmix`.
# slurm_stop: cancels every job of the cluster, waits (15 s) for them to end, SIGKILLs a
#   slurmstepd of this cluster (its environment names our SLURM_CONF) that outlived its
#   job, sends SIGTERM to the recorded daemons, SIGKILL after SL_GRACE (10 s), removes
#   SL_DIR.
#   Runs from the EXIT trap; calling it earlier is fine (the second call does nothing).
# For tests: sl_wait SECONDS CMD... (poll CMD, give up early when a daemon died),
#   sl_stray_stepds (live slurmstepds of this cluster), SL_ALL_PIDS (every daemon
#   started, kept after slurm_stop), SL_DIR/log/ (daemon logs, shown on failures).
# Skips (exit 77, reason on stderr): not root (SlurmUser=root), slurmctld, slurmd, munged
# or a client command missing, munged not starting.
# Networking is loopback only; no network namespaces (see doc/slurm.md).

: "${SL_NODES:=4}"
: "${SL_CPUS:=4}"
: "${SL_TIMEOUT:=30}"
: "${SL_GRACE:=10}"
SL_DIR=
SL_PIDS=()      # "pid name" of every daemon slurm_start spawned
SL_ALL_PIDS=()  # the same, kept after slurm_stop for the harness's final check
SL_NODE_NAMES=()

# Chain the EXIT trap already there (lib.sh's cleanup, or a helper's) after ours.
SL_PREV_EXIT=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
trap 'slurm_stop; eval "$SL_PREV_EXIT"' EXIT
# lib.sh turns INT and TERM into exit (so the EXIT trap runs); HUP and a closed output
# pipe (`harness.sh | head`) must not kill the shell before it stops the daemons either.
trap 'exit 129' HUP
trap 'exec > /dev/null 2>&1; exit 141' PIPE

sl_log() { echo "slurm: $*" >&2; }

# sl_alive PID NAME: the process is there, not a zombie, and still runs NAME.
sl_alive() {
    local st comm
    [ -n "$1" ] && read -r st 2> /dev/null < "/proc/$1/stat" && read -r comm 2> /dev/null < "/proc/$1/comm" || return 1
    st=${st##*) }
    [ "${st%% *}" != Z ] && [ "$comm" = "$2" ]
}

# sl_spawn NAME CMD...: run a daemon in the foreground in its own session (so a ^C at the
# terminal reaches only the test, whose trap stops the cluster; a background job of a
# script is no group leader, so setsid keeps the pid), output to SL_DIR/log/NAME.out.
# (slurmstepd gives tasks default signal handling, whatever slurmd inherited.)
sl_spawn() {
    local name=$1
    shift
    setsid "$@" < /dev/null > "$SL_DIR/log/$name.out" 2>&1 &
    local pid=$! i
    SL_PIDS+=("$pid $name")
    SL_ALL_PIDS+=("$pid $name")
    # Until setsid has exec'd the daemon, the pid shows another name (sl_alive fails).
    for ((i = 0; i < 100; i++)); do
        sl_alive "$pid" "$(sl_comm "$name")" || ! [ -d "/proc/$pid" ] && break
        sleep 0.05
    done
}

# sl_port_free PORT: nothing listens on PORT (IPv4 or IPv6), read from /proc/net.
sl_port_free() {
    local hex
    hex=$(printf '%04X' "$1")
    ! awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# sl_pick_ports COUNT: a free run of COUNT ports in 12000..31999, below Linux's
# ephemeral range (32768+) so outgoing connections do not hold them; in SL_PORT.
sl_pick_ports() {
    local n=$1 p
    for _ in $(seq 200); do
        SL_PORT=$((12000 + RANDOM % 2000 * 10))
        for ((p = SL_PORT; p < SL_PORT + n; p++)); do
            sl_port_free "$p" || continue 2
        done
        return 0
    done
    sl_log "no run of $n free ports found in 12000..31999"
    return 1
}

# sl_wait SECONDS CHECK...: poll CHECK every 0.1 s until it succeeds; fail early when a
# daemon we started has died (sl_daemons_alive), and at the deadline.
sl_wait() {
    local t=$1 i
    shift
    for ((i = 0; i < t * 10; i++)); do
        "$@" > /dev/null 2>&1 && return 0
        sl_daemons_alive || return 1
        sleep 0.1
    done
    sl_log "timed out after ${t}s waiting for: $*"
    return 1
}

sl_daemons_alive() {
    local e
    for e in "${SL_PIDS[@]}"; do
        if ! sl_alive "${e%% *}" "$(sl_comm "${e#* }")"; then
            sl_log "${e#* } (pid ${e%% *}) has exited"
            return 1
        fi
    done
}

# The command name of a daemon recorded as NAME (slurmd-n1 -> slurmd).
sl_comm() { echo "${1%%-*}"; }

sl_show_logs() {
    local f
    for f in "$SL_DIR"/log/*; do
        [ -s "$f" ] && { echo "==== $f"; tail -n 15 "$f"; }
    done >&2
}

sl_munge_ok() { munge -n -S "$SL_DIR/munge/socket" | unmunge -S "$SL_DIR/munge/socket"; }
sl_ctld_up() { scontrol ping | grep -q ' is UP'; }
sl_nodes_idle() {
    [ "$(sinfo -h -N -o '%N %T' | sort -u | grep -c ' idle$')" = "${#SL_NODE_NAMES[@]}" ]
}

sl_write_conf() {
    local ctld=$1 first=$2 last=$(($2 + SL_NODES - 1)) host
    host=$(hostname -s)
    cat > "$SLURM_CONF" <<EOF
# A private test cluster (tests/slurm/slurm_lib.sh): everything under $SL_DIR.
ClusterName=ippctest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SL_DIR/munge/socket
StateSaveLocation=$SL_DIR/state
SlurmdSpoolDir=$SL_DIR/spool/%n
SlurmctldPidFile=$SL_DIR/run/slurmctld.pid
SlurmdPidFile=$SL_DIR/run/slurmd-%n.pid
SlurmctldLogFile=$SL_DIR/log/slurmctld.log
SlurmdLogFile=$SL_DIR/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
# One TmpFS per node: Slurm's PMIx server makes TmpFS/spmix_appdir_<uid>_<job>.<step>,
# which would collide between the nodes of one host.
TmpFS=$SL_DIR/tmp/%n
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
# Nodes claim SL_CPUS CPUs whatever the machine has.
SlurmdParameters=config_overrides
SlurmdTimeout=60
InactiveLimit=0
KillWait=3
# Finished jobs stay visible to scontrol for 5 minutes (no accounting database here).
MinJobAge=300
NodeName=n[1-$SL_NODES] NodeHostname=$host NodeAddr=127.0.0.1 Port=[$first-$last] CPUs=$SL_CPUS RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

# One attempt at slurmctld + slurmds on fresh ports.
sl_start_slurm() {
    local n
    sl_pick_ports $((SL_NODES + 1)) || return 1
    sl_write_conf "$SL_PORT" $((SL_PORT + 1))
    sl_spawn slurmctld slurmctld -D -f "$SLURM_CONF"
    sl_wait "$SL_TIMEOUT" sl_ctld_up || return 1
    for n in "${SL_NODE_NAMES[@]}"; do
        sl_spawn "slurmd-$n" slurmd -D -f "$SLURM_CONF" -N "$n"
    done
    sl_wait "$SL_TIMEOUT" sl_nodes_idle
}

slurm_start() {
    local c attempt rc
    [ "$(id -u)" = 0 ] || skip "the private Slurm runs its daemons as root (SlurmUser=root): run as root"
    for c in munged munge unmunge slurmctld slurmd sinfo srun sbatch squeue scancel scontrol setsid; do
        command -v "$c" > /dev/null ||
            skip "$c not installed (scripts/install-deps.sh: slurm-wlm munge)"
    done
    # Only our cluster: nothing from an outer allocation or PMIx job may leak into srun.
    for c in $(compgen -e); do
        case $c in SLURM_* | SBATCH_* | SALLOC_* | SRUN_* | PMIX_* | PMI_*) unset "$c" ;; esac
    done
    # Short: unix socket paths (munge, PMIx) must stay under 108 bytes.
    SL_DIR=$(mktemp -d /tmp/ippc-slurm.XXXXXX) || return 1
    chmod 755 "$SL_DIR" # munged insists that the socket's directory is a+x
    mkdir -p "$SL_DIR"/{state,log,run,munge,spool,tmp}
    chmod 755 "$SL_DIR/munge/"
    export SLURM_CONF=$SL_DIR/slurm.conf
    SL_NODE_NAMES=()
    for ((c = 1; c <= SL_NODES; c++)); do
        SL_NODE_NAMES+=("n$c")
        mkdir -p "$SL_DIR/spool/n$c" "$SL_DIR/tmp/n$c"
    done

    # munge: a key of our own, so another cluster on this host cannot accept our credentials.
    if command -v mungekey > /dev/null; then
        mungekey --create --keyfile="$SL_DIR/munge/key" || skip "mungekey failed"
    else
        head -c 1024 /dev/urandom > "$SL_DIR/munge/key"
    fi
    chmod 600 "$SL_DIR/munge/key" # munged refuses a key others can read
    sl_spawn munged munged -F --key-file="$SL_DIR/munge/key" --socket="$SL_DIR/munge/socket" \
        --pid-file="$SL_DIR/run/munged.pid" --log-file="$SL_DIR/log/munged.log" \
        --seed-file="$SL_DIR/munge/seed"
    if ! sl_wait "$SL_TIMEOUT" sl_munge_ok; then
        sl_show_logs
        skip "munged did not start (logs above)"
    fi

    for attempt in 1 2 3; do
        sl_start_slurm && rc=0 || rc=$?
        [ $rc = 0 ] && break
        if [ $attempt -lt 3 ] && grep -qs 'Address already in use' "$SL_DIR"/log/slurm*; then
            sl_log "a port was taken meanwhile; retrying on other ports"
            sl_stop_daemons slurm
            rm -rf "$SL_DIR"/log/slurm* "$SL_DIR"/state/*
            continue
        fi
        sl_show_logs
        sl_log "the private Slurm did not come up (logs above)"
        return 1
    done
    sl_log "up in $SL_DIR: slurmctld on 127.0.0.1:$SL_PORT, ${#SL_NODE_NAMES[@]} nodes x $SL_CPUS CPUs"
}

# Slurmstepds started by this cluster's slurmds (they inherit its SLURM_CONF).
sl_stray_stepds() {
    local p comm
    for p in /proc/[0-9]*; do
        read -r comm 2> /dev/null < "$p/comm" && [ "$comm" = slurmstepd ] || continue
        tr '\0' '\n' 2> /dev/null < "$p/environ" | grep -qxF "SLURM_CONF=$SLURM_CONF" && echo "${p#/proc/}"
    done
}

# sl_stop_daemons [PREFIX]: SIGTERM the recorded daemons whose name starts with PREFIX
# (all by default), SIGKILL what is left after SL_GRACE; reap them.
sl_stop_daemons() {
    local prefix=${1:-} e i left victims=() keep=()
    for e in "${SL_PIDS[@]}"; do
        if [[ ${e#* } == "$prefix"* ]]; then victims+=("$e"); else keep+=("$e"); fi
    done
    for e in "${victims[@]}"; do
        sl_alive "${e%% *}" "$(sl_comm "${e#* }")" && kill -TERM "${e%% *}" 2> /dev/null
    done
    for ((i = 0; i < SL_GRACE * 10; i++)); do
        left=0
        for e in "${victims[@]}"; do sl_alive "${e%% *}" "$(sl_comm "${e#* }")" && left=1; done
        [ $left = 0 ] && break
        sleep 0.1
    done
    for e in "${victims[@]}"; do
        if sl_alive "${e%% *}" "$(sl_comm "${e#* }")"; then
            sl_log "${e#* } (pid ${e%% *}) ignored SIGTERM for ${SL_GRACE}s: SIGKILL"
            kill -KILL "${e%% *}" 2> /dev/null
        fi
    done
    for e in "${victims[@]}"; do wait "${e%% *}" 2> /dev/null; done
    SL_PIDS=("${keep[@]}")
}

slurm_stop() {
    local jobs i pid
    [ -n "$SL_DIR" ] || return 0
    # Cancel while slurmctld runs, so that the slurmstepds end the tasks themselves.
    if sl_alive "$(sl_pid_of slurmctld)" slurmctld; then
        jobs=$(squeue -h -o %i 2> /dev/null)
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086
            scancel $jobs 2> /dev/null
            for ((i = 0; i < 150; i++)); do
                [ -z "$(squeue -h -o %i 2> /dev/null)" ] && break
                sleep 0.1
            done
        fi
    fi
    # A slurmstepd still there 2 s later outlived its job: after a PMIx step whose rank
    # died, Slurm 22.05 leaves one waiting (SIGTERM blocked) on the step's collective.
    for ((i = 0; i < 20; i++)); do
        [ -z "$(sl_stray_stepds)" ] && break
        sleep 0.1
    done
    for pid in $(sl_stray_stepds); do
        sl_log "slurmstepd (pid $pid) outlived its job: SIGKILL"
        kill -KILL "$pid" 2> /dev/null
    done
    sl_stop_daemons
    rm -rf "$SL_DIR"
    SL_DIR=
}

# sl_pid_of NAME: the recorded pid of a daemon (empty when none).
sl_pid_of() {
    local e
    for e in "${SL_PIDS[@]}"; do [ "${e#* }" = "$1" ] && echo "${e%% *}"; done
}
