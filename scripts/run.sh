#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds Session Inspector and runs it on the bundled demo data.
#
# The desktop window (issue #6) does not exist yet. Until it does, this runs the command-line
# inspector, sessionctl, on the embedded demo store (10,000 synthetic sessions in SQLite) and on a
# demo session cookie that Python jwcrypto wrote the way auth0-fastapi does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[[ "${1:-}" == "--no-install" ]] || scripts/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --parallel "$(nproc)" --target sessionctl demo_store

demo=resources/demo
store=build/demo/sessions.db
export SI_SECRET_FILE=$demo/demo-secret.txt
# Seeded sessions live three days: an old demo store is made again.
if [[ ! -f $store || -n $(find "$store" -mmin +1440) ]]; then
    scripts/make-demo-store.sh build/bin/sessionctl "$store"
fi
ctl() {
    echo "\$ sessionctl --store sqlite:$store $*"
    build/bin/sessionctl --store "sqlite:$store" --issuer https://login.example.com/ --read-only "$@"
    echo
}
cat <<MSG

Session Inspector — the desktop window is not built yet (issue #6); showing the command-line
inspector, sessionctl, on the embedded demo store instead: $store, 10,000 synthetic sessions
of 2,000 users (SQLite, native layout), opened read-only with the public demo secret in
$demo/demo-secret.txt.

MSG
ctl stats
ctl list --limit 5
first=$(build/bin/sessionctl --store "sqlite:$store" list --limit 1 --json |
    /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin)["sessions"][0]; print(s["id"], s["sub"])')
ctl show -- "${first% *}"
ctl find --sub "${first#* }"
echo "A read-only profile refuses writes before they reach the store (exit code 6):"
set +e
ctl revoke --sub "${first#* }"
set -e

cat <<MSG
The demo also carries a stateless auth0-fastapi session cookie written by Python jwcrypto:
\$ sessionctl cookie decode --pretty --cookie-header - < $demo/auth0-fastapi-cookie.txt
MSG
build/bin/sessionctl cookie decode --pretty --cookie-header - <"$demo/auth0-fastapi-cookie.txt" | head -20
echo "…"
