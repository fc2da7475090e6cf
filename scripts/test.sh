#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds with warnings as errors, checks formatting, starts the
# real servers (scripts/with-services.sh) and runs every test suite with SI_REQUIRE_SERVICES=1, so
# a missing server fails instead of skipping — the end-to-end tests among them (label e2e: the
# test IdP, si-demo-webapp on Redis and PostgreSQL, sessionctl, and the Test Login window
# offscreen) — and scans everything the run left for its secrets and tokens
# (tests/security/scan-secrets.sh). Then builds the libFuzzer targets with clang and runs each for 30 s
# (bench/fuzz.sh, two at a time on two cores).
#
# --sanitize builds into build-sanitize with AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer instead and runs the same suites there; any report fails the test that
# made it. Suppressions for third-party libraries, each with its reason: tests/sanitizers/.
#
#   scripts/test.sh [--no-install] [--sanitize] [--no-fuzz] [--fuzz-seconds N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

install=1
sanitize=0
fuzz=1
fuzz_seconds=30
while (($#)); do
    case "$1" in
    --no-install) install=0 ;;
    --no-fuzz) fuzz=0 ;;
    --sanitize) sanitize=1 ;;
    --fuzz-seconds)
        fuzz_seconds=$2
        shift
        ;;
    *)
        echo "usage: $0 [--no-install] [--sanitize] [--no-fuzz] [--fuzz-seconds N]" >&2
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

build=build
configure=(-DSI_WERROR=ON)
what="warnings are errors"
if ((sanitize)); then
    build="build-sanitize"
    configure+=(-DSI_SANITIZE=ON -DSI_BUILD_BENCH=OFF)
    what="$what; ASan+UBSan"
    supp=$PWD/tests/sanitizers
    export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
    # QtTest's 300 s per test function is too short for the million-row model test under ASan.
    export QTEST_FUNCTION_TIMEOUT=1800000
    export LSAN_OPTIONS=suppressions=$supp/lsan.supp:print_suppressions=0
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp
fi

step "configuring and building in $build ($what)"
cmake -S . -B "$build" -G Ninja "${configure[@]}" >/dev/null
cmake --build "$build" --parallel "$jobs"

step "checking formatting"
scripts/format.sh --check

step "running the test suites against real servers, then the secret scan"
# Tests keep their logs, settings and audit files here; tests/security/scan-secrets.sh then looks
# for every secret and token of the run in them, in ctest's output and in the servers' logs.
export SI_TEST_ARTIFACTS
SI_TEST_ARTIFACTS=$(mktemp -d /tmp/si-test-artifacts.XXXXXX)
# shellcheck disable=SC2016
# A crash's stack comes last, where a log cut in the middle still shows it.
SI_REQUIRE_SERVICES=1 scripts/with-services.sh bash -c '
    if ! ctest --test-dir "$1" --output-on-failure --parallel "$2" --timeout 600; then
        scripts/show-crashes.sh "$1/Testing/Temporary/LastTest.log"
        exit 1
    fi
    tests/security/scan-secrets.sh "$1/Testing/Temporary/LastTest.log" "$SI_TEST_ARTIFACTS"' \
    bash "$build" "$jobs"
rm -rf "$SI_TEST_ARTIFACTS"

if ((fuzz)); then
    step "fuzz smoke: ${fuzz_seconds}s per target (clang, ASan+UBSan; bench/fuzz.sh)"
    bench/fuzz.sh --seconds "$fuzz_seconds"
fi

step "all tests passed"
