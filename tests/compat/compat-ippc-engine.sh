#!/bin/sh
# The stock ipyparallel test suite, ippc-engine with the stock ipcontroller (see run_compat.sh).
exec "$(dirname "$0")/run_compat.sh" ctl=stock eng=ippc
