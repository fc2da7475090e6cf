#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds with warnings as errors, checks formatting, starts the
# real servers (scripts/with-services.sh) and runs every test suite with SI_REQUIRE_SERVICES=1, so
# a missing server fails instead of skipping — the end-to-end tests among them (label e2e: the
# test IdP, si-demo-webapp on Redis and PostgreSQL, sessionctl, and the Test Login window
# offscreen). Then builds the libFuzzer targets with clang and runs
# each for a short smoke.
#
#   scripts/test.sh [--no-install] [--no-fuzz] [--fuzz-seconds N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

install=1
fuzz=1
fuzz_seconds=15
while (($#)); do
    case "$1" in
    --no-install) install=0 ;;
    --no-fuzz) fuzz=0 ;;
    --fuzz-seconds)
        fuzz_seconds=$2
        shift
        ;;
    *)
        echo "usage: $0 [--no-install] [--no-fuzz] [--fuzz-seconds N]" >&2
        exit 1
        ;;
    esac
    shift
done

step() { echo "==> $*" >&2; }
jobs=$(nproc)

if ((install)); then
    step "installing dependencies"
    scripts/install-deps.sh
fi

step "configuring and building (warnings are errors)"
cmake -S . -B build -G Ninja -DSI_WERROR=ON >/dev/null
cmake --build build --parallel "$jobs"

step "checking formatting"
scripts/format.sh --check

step "running the test suites against real servers"
SI_REQUIRE_SERVICES=1 scripts/with-services.sh \
    ctest --test-dir build --output-on-failure --parallel "$jobs" --timeout 600

if ((fuzz)); then
    step "building the fuzz targets (clang, ASan+UBSan)"
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DSI_FUZZ=ON >/dev/null
    cmake --build build-fuzz --parallel "$jobs"
    step "fuzz smoke: ${fuzz_seconds}s per target"
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    for target in build-fuzz/bin/fuzz_*; do
        name=$(basename "$target")
        mkdir -p "$scratch/$name"
        # New inputs go to a scratch directory; the committed corpus only seeds the run.
        if ! "$target" -max_total_time="$fuzz_seconds" -print_final_stats=1 -artifact_prefix="$scratch/$name-" \
            "$scratch/$name" "tests/fuzz/corpus/$name" >"$scratch/$name.log" 2>&1; then
            tail -n 60 "$scratch/$name.log" >&2
            echo "fuzz smoke: $name crashed; the input is in $scratch (kept)" >&2
            trap - EXIT
            exit 1
        fi
        echo "   $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$scratch/$name.log" | grep -o '[0-9]*$' || echo '?') runs, clean" >&2
    done
fi

step "all tests passed"
