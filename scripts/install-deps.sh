#!/usr/bin/env bash
# Installs everything Session Inspector needs to build, test and run on Debian 12.
# Idempotent: packages already present are skipped; only Debian's archive and npm are used.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config ccache clang clang-format libclang-rt-14-dev
    qt6-base-dev qt6-webengine-dev libqt6webenginecore6-bin qt6-httpserver-dev qt6-websockets-dev qt6-charts-dev
    qtkeychain-qt6-dev libqt6sql6-psql libqt6sql6-sqlite libpq-dev libgl-dev
    libssl-dev libhiredis-dev libcjose-dev libjansson-dev libbenchmark-dev
    redis-server redis-tools postgresql openssl
    xvfb xauth dbus dbus-x11 gnome-keyring
    python3 python3-jwcrypto python3-cryptography
    stress-ng # scripts/stress-tests.sh
)
# Node.js and npm: some machines carry a nodejs build that bundles npm and conflicts with
# Debian's npm package; install Debian's only when the commands are missing.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}" >&2
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "install-deps: all Debian packages present" >&2
fi

# npm packages for the test identity provider and the peer applications (pinned by each
# directory's package-lock.json).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for dir in tests/idp tests/peers bench/compare; do
    if [[ -f "$root/$dir/package.json" ]]; then
        if [[ ! -d "$root/$dir/node_modules" || "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules" ]]; then
            echo "install-deps: npm ci in $dir" >&2
            (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
            touch "$root/$dir/node_modules"
        fi
    fi
done
