#!/usr/bin/env bash
# Creates the embedded demo store: a SQLite file with 10,000 realistic synthetic sessions
# (2,000 users, sids, tokens signed with the public demo key resources/demo/demo-signing-key.jwk,
# a spread of creation times), written by `sessionctl seed` under the public demo secret in
# resources/demo/demo-secret.txt.
#
#   scripts/make-demo-store.sh SESSIONCTL OUTPUT.db
#
# Run by the build (target demo_store) and again by scripts/run.sh when the file is older than a
# day: seeded sessions live three days from their creation, so an old demo store empties itself.
set -euo pipefail
sessionctl=$1
out=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$(dirname "$out")"
tmp="$out.tmp"
rm -f "$tmp" "$tmp-wal" "$tmp-shm"
# The seeding is recorded in a log next to the store, not in the user's own audit log.
SI_SECRET_FILE="$root/resources/demo/demo-secret.txt" "$sessionctl" --store "sqlite:$tmp" \
    --audit-log "$(dirname "$out")/demo-audit.jsonl" --issuer https://login.example.com/ \
    seed --count 10000 --users 2000 --seed 1 --signing-key "$root/resources/demo/demo-signing-key.jwk"
# Fold the write-ahead log into the file before it moves into place.
/usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.execute("PRAGMA journal_mode=DELETE"); c.close()' "$tmp"
rm -f "$tmp-wal" "$tmp-shm" "$out-wal" "$out-shm"
mv -f "$tmp" "$out"
