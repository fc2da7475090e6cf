#!/usr/bin/env bash
# Scale runs for issue #3's store benchmarks: 1,000,000 sessions (200,000 users × 5) seeded into
# Redis and into PostgreSQL, both started fresh by scripts/with-services.sh on loopback; then
# indexed vs naive revocation and get+decrypt throughput in the same run. Results go to stdout as
# Markdown (copied into docs/benchmarks.md).
#
#   bench/store-scale.sh [SESSIONS] [USERS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sessions=${1:-1000000}
users=${2:-200000}
cmake --build build --target store_scale >/dev/null
scripts/with-services.sh bash -c "
    echo \"# \$(date -u +%Y-%m-%dT%H:%MZ), \$(nproc) cores, \$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)\"
    build/bin/store_scale --store \"\$SI_TEST_REDIS_URL\" --sessions $sessions --users $users
    build/bin/store_scale --store \"\$SI_TEST_PG_DSN\" --sessions $sessions --users $users
"
