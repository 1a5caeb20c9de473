#!/usr/bin/env bash
# install-deps.sh - install every Debian package ippc needs to build and to run its
# tests (Debian 12, as root). Idempotent: packages already there are left alone.
set -euo pipefail

packages=(
    # build
    build-essential autoconf automake libtool pkg-config
    libzmq3-dev libjansson-dev libyaml-dev python3-dev libsodium-dev
    libpmix-dev
    # unit tests and fuzzing
    check clang libclang-rt-14-dev
    # compatibility tests: the stock package and its Python peers (system python3)
    python3-ipyparallel python3-jupyter-client python3-numpy python3-pytest
    # Slurm tests (tests/slurm): a private munge + slurmctld + slurmd cluster, PMIx and
    # Open MPI launches (Slurm dlopen()s libpmix-dev's libpmix.so for srun --mpi=pmix)
    slurm-wlm munge libpmix-bin openmpi-bin libopenmpi-dev
)

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: run as root (apt-get needs it): sudo $0" >&2
    exit 1
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps.sh: all ${#packages[@]} packages present"
    exit 0
fi
echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -o DPkg::Lock::Timeout=600 -qq
apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
echo "install-deps.sh: done"
