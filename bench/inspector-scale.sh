#!/usr/bin/env bash
# Scale runs for issue #5's inspector benchmarks, on Redis and PostgreSQL started fresh by
# scripts/with-services.sh on loopback, and on a fresh SQLite file: `sessionctl seed` of N sessions (wall time, peak RSS),
# first and deep pages, email search with and without the index (bench/inspector_scale.cpp), and
# `sessionctl export` of everything to /dev/null (wall time, peak RSS). Markdown rows on stdout.
#
#   bench/inspector-scale.sh [SESSIONS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sessions=${1:-1000000}
cmake -S . -B build -DSI_BUILD_BENCH=ON >/dev/null
cmake --build build --target sessionctl inspector_scale >/dev/null
export SI_SECRET=inspector-bench-secret SI_AUDIT_LOG=$(mktemp)
sqlite_dir=$(mktemp -d)
trap 'rm -rf "$sqlite_dir"' EXIT
export SI_BENCH_SQLITE=$sqlite_dir/sessions.db
scripts/with-services.sh bash -c '
    set -euo pipefail
    sessions='"$sessions"'
    echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2), $sessions sessions"
    measure() { # label, command… : wall seconds and peak RSS of one process
        /usr/bin/time -f "%e %M" -o /tmp/si-bench-time "${@:2}" >/dev/null
        read -r secs kb </tmp/si-bench-time
        echo "| $store | $1 | $secs s | peak RSS $((kb / 1024)) MB |"
    }
    for store in Redis PostgreSQL SQLite; do
        case $store in
        Redis) url=$SI_TEST_REDIS_URL ;;
        PostgreSQL) url=$SI_TEST_PG_DSN ;;
        SQLite) url=sqlite:$SI_BENCH_SQLITE ;;
        esac
        ctl=(build/bin/sessionctl --store "$url" --prefix bench_ --issuer https://login.example.com/)
        measure "seed $sessions sessions ($((sessions / 5)) users)" "${ctl[@]}" seed --count "$sessions" --users $((sessions / 5))
        email=$("${ctl[@]}" list --limit 1 --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[\"sessions\"][0][\"email\"])")
        build/bin/inspector_scale --store "$url" --prefix bench_ --email "$email"
        measure "export of every session, JSON lines, redacted" "${ctl[@]}" export
    done
'
rm -f "$SI_AUDIT_LOG"
