#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, tests/fuzz) and runs each for a set time, as
# many at once as there are cores. The committed corpus (tests/fuzz/corpus/<target>) seeds each run;
# new inputs go to a scratch corpus. Prints one table row per target: runs, runs/s, coverage (edges
# and features), corpus size, and the outcome. A crash, leak or timeout fails the script and keeps
# the input (its path is printed); make it a regression test and add it to the corpus.
#
#   bench/fuzz.sh [--seconds N] [--jobs N] [--keep DIR] [target ...]
#     --seconds  time per target (default 300: the report's run; scripts/test.sh smokes with 30)
#     --keep     keep the grown corpora and logs in DIR (default: a temporary directory, removed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=300
jobs=$(nproc)
keep=
targets=()
while (($#)); do
    case "$1" in
    --seconds) seconds=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --keep) keep=$2; shift ;;
    -*)
        echo "usage: $0 [--seconds N] [--jobs N] [--keep DIR] [target ...]" >&2
        exit 1
        ;;
    *) targets+=("$1") ;;
    esac
    shift
done

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DSI_FUZZ=ON >/dev/null
cmake --build build-fuzz --parallel "$jobs" >&2
if ((${#targets[@]} == 0)); then
    for t in build-fuzz/bin/fuzz_*; do targets+=("$(basename "$t")"); done
fi

if [[ -n $keep ]]; then
    mkdir -p "$keep"
    scratch=$(cd "$keep" && pwd)
else
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
fi

run_one() {
    local name=$1 dir=$scratch/$1
    mkdir -p "$dir/corpus"
    # -rss_limit_mb: a single input may not make the parser take more than 2 GB.
    if build-fuzz/bin/"$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/" "$dir/corpus" "tests/fuzz/corpus/$name" >"$dir/log" 2>&1; then
        echo ok >"$dir/outcome"
    else
        echo failed >"$dir/outcome"
    fi
}

echo "fuzzing ${#targets[@]} target(s), ${seconds}s each, $jobs at a time" >&2
running=0
for name in "${targets[@]}"; do
    run_one "$name" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n
        running=$((running - 1))
    fi
done
wait

stat() { grep -o "stat::$2: *[0-9]*" "$scratch/$1/log" | grep -o '[0-9]*$' || echo '?'; }
status=0
printf '| target | seconds | runs | runs/s | edges | features | corpus | outcome |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---|\n'
for name in "${targets[@]}"; do
    log=$scratch/$name/log
    last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true)
    edges=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')
    features=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')
    corpus=$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')
    outcome=$(cat "$scratch/$name/outcome")
    if [[ $outcome != ok ]]; then
        status=1
        artifact=$(grep -o "Test unit written to .*" "$log" | sed 's/Test unit written to //' || true)
        outcome="**failed** ${artifact:-see $log}"
        tail -n 40 "$log" >&2
        trap - EXIT # keep the input
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$seconds" "$(stat "$name" number_of_executed_units)" \
        "$(stat "$name" average_exec_per_sec)" "$edges" "$features" "$corpus" "$outcome"
done
exit $status
