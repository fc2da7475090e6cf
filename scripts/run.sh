#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds Session Inspector and opens it on the embedded demo
# store: 10,000 synthetic sessions of 2,000 users in SQLite (native layout), opened read-only
# with the public demo secret in resources/demo/demo-secret.txt. No server is needed.
#
#   scripts/run.sh [--no-install] [--cli]
#
# --cli shows the same store with the command-line inspector, sessionctl, instead. Without a
# display (no DISPLAY/WAYLAND_DISPLAY) the window is drawn offscreen into
# build/screenshots/run.png and the command-line tour follows.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

install=1 cli=0
for arg in "$@"; do
    case $arg in
    --no-install) install=0 ;;
    --cli) cli=1 ;;
    *) echo "usage: $0 [--no-install] [--cli]" >&2; exit 1 ;;
    esac
done
((install)) && scripts/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --parallel "$(nproc)" --target session-inspector sessionctl demo_store

demo=resources/demo
store=build/demo/sessions.db
export SI_SECRET_FILE=$demo/demo-secret.txt
# Seeded sessions live three days: an old demo store is made again.
if [[ ! -f $store || -n $(find "$store" -mmin +1440) ]]; then
    scripts/make-demo-store.sh build/bin/sessionctl "$store"
fi

if ((!cli)); then
    if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
        exec build/bin/session-inspector
    fi
    mkdir -p build/screenshots
    echo "No display here: drawing the inspector offscreen into build/screenshots/run.png"
    QT_QPA_PLATFORM=offscreen build/bin/session-inspector --screenshot build/screenshots/run.png 2>/dev/null
    echo
fi

ctl() {
    echo "\$ sessionctl --store sqlite:$store $*"
    build/bin/sessionctl --store "sqlite:$store" --issuer https://login.example.com/ --read-only "$@"
    echo
}
cat <<MSG
The command-line inspector, sessionctl, on the same demo store ($store), read-only:

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
