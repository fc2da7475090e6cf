#!/usr/bin/env bash
# The two 1M-session Redis comparisons of issue #8, in one run on one freshly started redis-server
# (scripts/with-services.sh, loopback) filled by `sessionctl seed`:
#   listing — the floors (redis-cli --scan; hiredis SCAN COUNT 1000 of the keys; the same plus a
#     pipelined HMGET of every envelope) next to the inspector engine walking the keys, paging
#     through every decrypted row (200 a page, the desktop's segment, and 1,000) and streaming
#     every decrypted session (export);
#   revoke-by-sub — "log this user out everywhere" through the keyed-hash indexes next to the naive
#     scan an index-less store needs (SCAN, fetch, decrypt, compare, DEL), for two users of the
#     same store; afterwards `sessionctl find` must find neither.
# Prints Markdown tables (time, rate, ratio to the floor or to the index). bench/compare/redis_si.cpp
# says what each mode does.
#
#   bench/compare/redis.sh [SESSIONS]          (default 1,000,000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
sessions=${1:-1000000}
cmake -S . -B build -DSI_BUILD_BENCH=ON >/dev/null
cmake --build build --target sessionctl compare_redis >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SI_SECRET=compare-redis-bench-secret SI_AUDIT_LOG=$work/audit.jsonl SI_COMPARE_WORK=$work
export SI_COMPARE_SESSIONS=$sessions
# shellcheck disable=SC2016 # expanded by the inner shell
scripts/with-services.sh bash -c '
    set -euo pipefail
    url=$SI_TEST_REDIS_URL
    issuer=https://login.example.com/
    prefix=cmp:
    ctl=(build/bin/sessionctl --store "$url" --prefix "$prefix" --issuer "$issuer")
    cmp=(build/bin/compare_redis --store "$url" --prefix "$prefix")
    results=$SI_COMPARE_WORK/results
    now() { date +%s.%N; }
    start=$(now)
    "${ctl[@]}" seed --count "$SI_COMPARE_SESSIONS" --users $((SI_COMPARE_SESSIONS / 5)) 2>/dev/null
    seeded=$(echo "$(now) - $start" | bc)
    info() { redis-cli -u "$url" --no-auth-warning info "$1" | tr -d "\r" | sed -n "s/^$2://p"; }
    echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores,$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2);" \
        "redis-server $(info server redis_version), $SI_COMPARE_SESSIONS sessions seeded in ${seeded%.*} s," \
        "$(info keyspace db0 | cut -d, -f1 | cut -d= -f2) keys, used_memory $(info memory used_memory_human)"

    # Listing: the floors first, then the engine.
    start=$(now)
    keys=$(redis-cli -u "$url" --no-auth-warning --scan --pattern "${prefix}s:*" | wc -l)
    printf "{\"impl\": \"redis-cli --scan (key names)\", \"sessions\": %d, \"seconds\": %.3f}\n" \
        "$keys" "$(echo "$(now) - $start" | bc)" >"$results"
    for mode in scan-floor read-floor walk; do "${cmp[@]}" "$mode" >>"$results"; done
    "${cmp[@]}" list --page 200 >>"$results"
    "${cmp[@]}" list --page 1000 >>"$results"
    "${cmp[@]}" stream >>"$results"

    # Revocation: two users with sessions, one through the index, one by the naive scan.
    "${ctl[@]}" list --limit 50 --json 2>/dev/null >"$SI_COMPARE_WORK/sample.json"
    read -r subA subB < <(/usr/bin/python3 -c "
import json, sys
subs = []
for s in json.load(open(sys.argv[1]))[\"sessions\"]:
    if s[\"sub\"] and s[\"sub\"] not in subs:
        subs.append(s[\"sub\"])
print(subs[0], subs[1])" "$SI_COMPARE_WORK/sample.json")
    "${cmp[@]}" revoke --sub "$subA" >>"$results"
    "${cmp[@]}" naive-revoke --sub "$subB" >>"$results"
    for sub in "$subA" "$subB"; do
        if "${ctl[@]}" find --sub "$sub" >/dev/null 2>&1; then
            echo "redis.sh: $sub still has sessions after its revocation" >&2
            exit 1
        fi
    done
'
/usr/bin/python3 - "$work/results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in rows:
    if r.get("decoded", r["sessions"]) != r["sessions"]:
        sys.exit(f"redis.sh: {r['impl']} decrypted {r['decoded']} of {r['sessions']} sessions")
def name(r):
    extra = f", {r['page']} a page" if "page" in r else ""
    return r["impl"] + extra
floor = next(r for r in rows if r["impl"].startswith("hiredis SCAN COUNT"))
read_floor = next(r for r in rows if r["impl"].startswith("hiredis SCAN + HMGET"))
print("| listing | sessions | time | sessions/s | × key floor | × read floor |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    if "revoke" in r["impl"] or r["impl"].startswith("naive"):
        continue
    print(f"| {name(r)} | {r['sessions']:,} | {r['seconds']:.2f} s | {r['sessions'] / r['seconds']:,.0f} "
          f"| {r['seconds'] / floor['seconds']:.2f} | {r['seconds'] / read_floor['seconds']:.2f} |")
print()
index = next(r for r in rows if r["impl"].startswith("session-inspector revoke"))
naive = next(r for r in rows if r["impl"].startswith("naive scan"))
print("| revoke-by-sub | sessions removed | sessions decrypted | time | × index |")
print("|---|---:|---:|---:|---:|")
print(f"| {index['impl']} | {index['sessions']} | 0 | {index['seconds'] * 1000:.1f} ms | 1 |")
print(f"| {naive['impl']}, decrypting on {naive['threads']} threads | {naive['sessions']} | {naive['scanned']:,} "
      f"| {naive['seconds']:.2f} s | {naive['seconds'] / index['seconds']:,.0f} |")
PY
