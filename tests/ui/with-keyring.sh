#!/usr/bin/env bash
# Runs COMMAND in a throwaway HOME inside a private D-Bus session, with a fresh gnome-keyring
# answering as the Secret Service (unlocked with a throwaway password), or — with --none — with
# no session bus at all, as on a machine without a keychain service.
#
#   tests/ui/with-keyring.sh [--none] COMMAND [ARGS...]
set -euo pipefail
mode=gnome
if [[ "${1:-}" == "--none" ]]; then
    mode=none
    shift
fi
# Under scripts/test.sh the home (settings files) is kept in SI_TEST_ARTIFACTS for the secret scan.
home=$(mktemp -d "${SI_TEST_ARTIFACTS:-/tmp}/si-keyring.XXXXXX")
[[ -n ${SI_TEST_ARTIFACTS:-} ]] || trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/.local/share XDG_CONFIG_HOME=$home/.config XDG_RUNTIME_DIR=$home/run
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
if [[ $mode == none ]]; then
    export DBUS_SESSION_BUS_ADDRESS=unix:path=$home/no-bus SI_TEST_KEYRING=none
    "$@"
    exit
fi
export SI_TEST_KEYRING=gnome
# shellcheck disable=SC2016
exec dbus-run-session -- bash -c '
    printf "si-test-keyring" | gnome-keyring-daemon --foreground --unlock --components=secrets >"$HOME/keyring.log" 2>&1 &
    keyring=$!
    for _ in $(seq 100); do
        if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; then
            break
        fi
        sleep 0.05
    done
    "$@"
    rc=$?
    kill "$keyring" 2>/dev/null || true
    exit $rc
' bash "$@"
