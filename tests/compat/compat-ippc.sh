#!/bin/sh
# The stock ipyparallel test suite, ippc-controller with ippc-engine (see run_compat.sh).
exec "$(dirname "$0")/run_compat.sh" ctl=ippc eng=ippc
