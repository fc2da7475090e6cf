#!/usr/bin/env bash
# After a failed ctest run: for every test that crashed, the stack of the thread that received
# the signal (QtTest prints every thread's stack through gdb; long outputs get cut in the middle,
# and the crashing thread is rarely the first). Prints nothing when nothing crashed.
#
#   scripts/show-crashes.sh BUILD/Testing/Temporary/LastTest.log
set -euo pipefail
log=${1:?usage: show-crashes.sh LastTest.log}
[[ -f $log ]] || exit 0
awk '
    /^[0-9]+\/[0-9]+ Testing: / { test = $3 }
    /^Received signal [0-9]+/ { signal = $0 }
    /^Thread [0-9]+ \(/ { block = $0 "\n"; inthread = 1; crashed = 0; next }
    inthread && /^$/ {
        if (crashed) { printf "=== %s: %s — the thread that received it:\n%s\n", test, signal, block }
        inthread = 0; next
    }
    inthread {
        block = block $0 "\n"
        if ($0 ~ /<signal handler called>/) crashed = 1
    }
' "$log"
