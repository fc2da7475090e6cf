#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds Session Inspector and runs it on the bundled demo data.
#
# The desktop window (issue #6) does not exist yet. Until it does, this runs the command-line
# inspector, sessionctl, on a demo session cookie that Python jwcrypto wrote the way
# auth0-server-python / auth0-fastapi do, and shows what happens to a tampered copy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[[ "${1:-}" == "--no-install" ]] || scripts/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --parallel "$(nproc)" --target sessionctl

demo=resources/demo
export SI_SECRET_FILE=$demo/demo-secret.txt
cat <<MSG

Session Inspector — the desktop window is not built yet (issue #6); showing the command-line
inspector on the bundled demo data instead.

The cookie header in $demo/auth0-fastapi-cookie.txt carries a stateless auth0-fastapi session in
two chunks (_a0_session_0, _a0_session_1) among unrelated cookies. Its secret is the public demo
secret in $demo/demo-secret.txt.

\$ build/bin/sessionctl cookie decode --pretty --cookie-header - < $demo/auth0-fastapi-cookie.txt
MSG
build/bin/sessionctl cookie decode --pretty --cookie-header - <"$demo/auth0-fastapi-cookie.txt"

echo
echo "The same cookie with one character of the first chunk changed is refused (exit code 3):"
echo "\$ build/bin/sessionctl cookie decode --cookie-header - < (tampered copy)"
set +e
# Change one character in the middle of the first chunk.
/usr/bin/python3 - "$demo/auth0-fastapi-cookie.txt" <<'PY' | build/bin/sessionctl cookie decode --cookie-header -
import sys
header = open(sys.argv[1]).read()
i = header.index("_a0_session_0=") + len("_a0_session_0=") + 300
print(header[:i] + ("A" if header[i] != "A" else "B") + header[i + 1:], end="")
PY
echo "exit code: ${PIPESTATUS[1]}"
