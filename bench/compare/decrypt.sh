#!/usr/bin/env bash
# Envelope decryption side by side, in one run, on the same envelopes: Session Inspector
# (compare_decrypt), Python jwcrypto (Debian python3-jwcrypto, the library auth0-server-python
# uses) and node jose (npm, bench/compare/package.json). The envelopes are written by jwcrypto the
# way auth0-server-python writes them. Each decrypts all of them ROUNDS times and parses every
# plaintext as JSON, once deriving the key per envelope (as auth0-server-python does) and once with
# the key derived beforehand. Prints a Markdown table with throughput and the ratio to ours.
#
#   bench/compare/decrypt.sh [ENVELOPES] [ROUNDS]      (defaults: 1000 envelopes, 5 rounds)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
count=${1:-1000}
rounds=${2:-5}
cmake -S . -B build -DSI_BUILD_BENCH=ON >/dev/null
cmake --build build --target compare_decrypt >/dev/null
if [[ ! -d bench/compare/node_modules/jose ]]; then
    (cd bench/compare && npm ci --no-audit --no-fund --loglevel=error)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
secret=$work/secret
head -c 32 /dev/urandom | base64 >"$secret"
salt=_a0_session
/usr/bin/python3 bench/compare/make_envelopes.py "$count" "$salt" <"$secret" >"$work/envelopes"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2);" \
    "$count envelopes of $(($(wc -c <"$work/envelopes") / count)) bytes, $rounds rounds;" \
    "$(/usr/bin/python3 -c 'from importlib.metadata import version as v; import sys; print("Python", sys.version.split()[0], "jwcrypto", v("jwcrypto"), "cryptography", v("cryptography"))'), node $(node --version) jose $(node -p 'require("./bench/compare/node_modules/jose/package.json").version')"
{
    build/bin/compare_decrypt "$work/envelopes" "$salt" "$rounds" <"$secret"
    /usr/bin/python3 bench/compare/decrypt_jwcrypto.py "$work/envelopes" "$salt" "$rounds" <"$secret"
    (cd bench/compare && node decrypt_jose.mjs "$work/envelopes" "$salt" "$rounds" <"$secret")
} >"$work/results"
/usr/bin/python3 - "$work/results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ours = {r["impl"].split()[-1]: r["envelopes"] / r["seconds"] for r in rows if r["impl"].startswith("session-inspector")}
print("| implementation | key | envelopes/s | µs per envelope | Session Inspector is … × faster |")
print("|---|---|---:|---:|---:|")
for r in rows:
    name, mode = r["impl"].rsplit(" ", 1)
    rate = r["envelopes"] / r["seconds"]
    print(f"| {name} | {mode} | {rate:,.0f} | {1e6 / rate:.1f} | {ours[mode] / rate:.2f} |")
PY
