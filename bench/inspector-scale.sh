#!/usr/bin/env bash
# Scale runs for issue #5's inspector benchmarks, on Redis and PostgreSQL started fresh by
# scripts/with-services.sh on loopback, and on a fresh SQLite file: `sessionctl seed` of N sessions (wall time, peak RSS),
# first and deep pages, email search with and without the index (bench/inspector_scale.cpp), and
# `sessionctl export` of everything to /dev/null (wall time, peak RSS). Markdown rows on stdout.
#
#   bench/inspector-scale.sh [SESSIONS]        (SI_BENCH_STORES="PostgreSQL SQLite": some stores only)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sessions=${1:-1000000}
cmake -S . -B build -DSI_BUILD_BENCH=ON >/dev/null
cmake --build build --target sessionctl inspector_scale >/dev/null
export SI_SECRET=inspector-bench-secret SI_AUDIT_LOG=$(mktemp)
sqlite_dir=$(mktemp -d)
trap 'rm -rf "$sqlite_dir"' EXIT
export SI_BENCH_SQLITE=$sqlite_dir/sessions.db
# PostgreSQL sized for a table of a million 4 KB rows (its defaults are for small machines: 128 MB
# of shared buffers, a checkpoint every 1 GB of WAL). Override with SI_PG_SERVER_OPTIONS.
export SI_PG_SERVER_OPTIONS=${SI_PG_SERVER_OPTIONS:--c shared_buffers=2GB -c max_wal_size=8GB -c checkpoint_timeout=30min}
scripts/with-services.sh bash -c '
    set -euo pipefail
    sessions='"$sessions"'
    echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2), $sessions sessions"
    echo "# PostgreSQL: $SI_PG_SERVER_OPTIONS"
    # CPU seconds the store server has used so far: redis-server from INFO; PostgreSQL from /proc,
    # every postgres process plus the postmaster'"'"'s reaped children (a session'"'"'s backend exits
    # with it). The benchmark machine runs no other PostgreSQL.
    server_cpu() {
        case $store in
        Redis) redis-cli -u "$SI_TEST_REDIS_URL" --no-auth-warning info cpu | tr -d "\r" |
            awk -F: "/^used_cpu_(sys|user):/ { s += \$2 } END { printf \"%.2f\", s }" ;;
        PostgreSQL) for pid in $(pgrep -u postgres -x postgres); do cat "/proc/$pid/stat" 2>/dev/null || true; done |
            awk -v hz="$(getconf CLK_TCK)" "{ s += \$14 + \$15 + \$16 + \$17 } END { printf \"%.2f\", s / hz }" ;;
        *) echo 0 ;;
        esac
    }
    server_delta() { [[ $store == SQLite ]] && echo "(in-process)" || printf "%.1f s" "$(echo "$2 - $1" | bc)"; }
    measure() { # label, command… : wall seconds and peak RSS of one process, the server'"'"'s CPU
        local before after
        before=$(server_cpu)
        /usr/bin/time -f "%e %M %U %S" -o /tmp/si-bench-time "${@:2}" >/dev/null
        after=$(server_cpu)
        read -r secs kb user sys </tmp/si-bench-time
        printf "| %s | %s | %s s | peak RSS %d MB | client CPU %.1f s, server CPU %s |\n" "$store" "$1" "$secs" \
            $((kb / 1024)) "$(echo "$user + $sys" | bc)" "$(server_delta "$before" "$after")"
    }
    for store in ${SI_BENCH_STORES:-Redis PostgreSQL SQLite}; do
        case $store in
        Redis) url=$SI_TEST_REDIS_URL ;;
        PostgreSQL) url=$SI_TEST_PG_DSN ;;
        SQLite) url=sqlite:$SI_BENCH_SQLITE ;;
        esac
        ctl=(build/bin/sessionctl --store "$url" --prefix bench_ --issuer https://login.example.com/)
        measure "seed $sessions sessions ($((sessions / 5)) users)" "${ctl[@]}" seed --count "$sessions" --users $((sessions / 5))
        email=$("${ctl[@]}" list --limit 1 --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[\"sessions\"][0][\"email\"])")
        before=$(server_cpu)
        build/bin/inspector_scale --store "$url" --prefix bench_ --email "$email"
        echo "| $store | server CPU during the page, index and scan measurements | $(server_delta "$before" "$(server_cpu)") |"
        measure "export of every session, JSON lines, redacted" "${ctl[@]}" export
    done
'
rm -f "$SI_AUDIT_LOG"
