#!/usr/bin/env bash
# Runs test binaries again and again while both cores are loaded, to find tests that fail only
# sometimes (docs/reliability.md, "Flaky tests"). Each ctest entry runs up to N times and stops at
# its first failure (ctest --repeat until-fail:N), two entries at a time, under the real servers
# (scripts/with-services.sh, SI_REQUIRE_SERVICES=1), while stress-ng keeps every core busy. A
# failure's output is kept in $SI_STRESS_LOG (default build/stress-tests.log).
#
#   scripts/stress-tests.sh [--repeat N] [--build DIR] [--no-load] [ctest arguments…]
#   scripts/stress-tests.sh --repeat 30                       # every test 30×
#   scripts/stress-tests.sh --repeat 10 --build build-sanitize -L 'gui|stores'
#
# Exits non-zero when any run of any test failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

repeat=30
build=build
load=1
while (($#)); do
    case "$1" in
    --repeat)
        repeat=$2
        shift
        ;;
    --build)
        build=$2
        shift
        ;;
    --no-load) load=0 ;;
    *) break ;;
    esac
    shift
done
log=${SI_STRESS_LOG:-$build/stress-tests.log}

if ((load)); then
    command -v stress-ng >/dev/null || {
        echo "stress-ng is missing (scripts/install-deps.sh installs it)" >&2
        exit 1
    }
    # One CPU hog per core at the tests' own priority: they compete for time as they do beside a
    # parallel build.
    stress-ng --cpu "$(nproc)" --cpu-method matrixprod --quiet &
    hog=$!
    trap 'kill "$hog" 2>/dev/null || true' EXIT
fi

started=$(date +%s)
status=0
SI_REQUIRE_SERVICES=1 scripts/with-services.sh \
    ctest --test-dir "$build" --repeat "until-fail:$repeat" --parallel 2 --output-on-failure \
    --output-log "$log" "$@" || status=$?
echo "stress-tests: every selected test up to ${repeat}x under load: $([ $status -eq 0 ] && echo 'no failure' || echo FAILED)" \
    "in $(($(date +%s) - started)) s (log: $log)" >&2
exit $status
