#!/usr/bin/env bash
# The desktop inspector at 1,000,000 sessions (docs/benchmarks.md, "Desktop inspector"):
# seeds a SQLite store once (about 6 minutes on 2 cores; kept in build/bench/), then runs
# build/bin/gui_bench three times offscreen: start to first painted rows, the GUI thread's
# longest stall while the scrollbar goes from top to bottom in 100 steps, and peak RSS; then three
# more runs with the listing sorted by expiry (keyset paging on the store's (expires_at, id) index).
#
#   bench/gui-bench.sh [COUNT]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-1000000}
dir=build/bench
db=$dir/gui-$count.db
mkdir -p "$dir"
printf 'gui-bench-secret\n' >"$dir/gui-secret.txt"
cmake --build build --target gui_bench sessionctl >/dev/null
if [[ ! -f $db || -n $(find "$db" -mmin +1440) ]]; then
    rm -f "$db"
    echo "seeding $count sessions into $db …" >&2
    SI_SECRET_FILE=$dir/gui-secret.txt build/bin/sessionctl --store "sqlite:$db" --audit-log "$dir/gui-audit.jsonl" \
        --issuer https://login.example.com/ seed --count "$count" --users $((count / 5)) --seed 3 >&2
fi
for sort in "" --sort-by-expiry; do
    for run in 1 2 3; do
        echo "run $run ${sort:-(store order)}"
        QT_QPA_PLATFORM=offscreen build/bin/gui_bench --store "sqlite:$db" --secret-file "$dir/gui-secret.txt" \
            --steps 100 $sort 2>/dev/null
    done
done
