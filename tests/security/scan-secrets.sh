#!/usr/bin/env bash
# After a full test run: looks for every secret the run handled in everything the run left that a
# person or another program could read — test output (ctest's log), the files tests kept under
# SI_TEST_ARTIFACTS (audit logs, settings files, sessionctl's error output, si-demo-webapp's log),
# Qt's test-mode settings, and the servers' logs (PostgreSQL logs every data-modifying statement
# with its parameters). Run inside scripts/with-services.sh, after the suites:
#
#   tests/security/scan-secrets.sh CTEST_LOG ARTIFACTS_DIR
#
# Secrets looked for: every token and client secret the test IdP issued (SI_TEST_IDP_ISSUED), its
# fixed client secrets, the Redis and PostgreSQL passwords of the run, and the app secrets the
# tests use (tests/security/app-secrets.txt). The OS keychain (the test keyrings) is where secrets
# belong and is not scanned. Exit 1 with file and line (the secret itself masked) on a find.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

ctest_log=$1
artifacts=$2
needles=$(mktemp)
trap 'rm -f "$needles"' EXIT

{
    cat "${SI_TEST_IDP_ISSUED:?run inside scripts/with-services.sh}"
    # JWTs: also their signatures alone (a log that cut the token would still carry it).
    grep -o '^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]\{40,\}$' "$SI_TEST_IDP_ISSUED" | sed 's/.*\.//' || true
    grep -o "client_secret: '[^']*'" tests/idp/server.js | sed "s/client_secret: '\(.*\)'/\1/"
    /usr/bin/python3 - <<'PY'
import os, urllib.parse
for var in ("SI_TEST_REDIS_URL", "SI_TEST_PG_DSN"):
    url = urllib.parse.urlsplit(os.environ[var])
    print(urllib.parse.unquote(url.password or ""))
PY
    grep -v '^#' tests/security/app-secrets.txt
} | awk 'length($0) >= 12' | sort -u >"$needles"

haystack=("$ctest_log" "$artifacts")
[[ -d $HOME/.qttest ]] && haystack+=("$HOME/.qttest")
while IFS= read -r -d '' log; do haystack+=("$log"); done < <(find "$SI_TEST_SERVICES_DIR" -name '*.log' -print0)

count=$(wc -l <"$needles")
issued=$(wc -l <"$SI_TEST_IDP_ISSUED")
files=$(find "${haystack[@]}" -type f -not -path '*/keyrings/*' | wc -l)
echo "secret scan: $count secrets ($issued issued by the IdP) in $files files" >&2
if ((issued == 0)); then
    echo "secret scan: the IdP issued nothing — the run did not log in, so the scan would prove nothing" >&2
    exit 1
fi

# -F fixed strings, -r recursive, -a binary files as text, -n line numbers, -o only the match.
if found=$(grep -rFanof "$needles" --exclude-dir=keyrings "${haystack[@]}"); then
    echo "secret scan: FOUND secrets where none may be:" >&2
    # file:line:match -> file:line: first 4 characters of the secret and its length
    awk -F: '{ s = $3; for (i = 4; i <= NF; i++) s = s ":" $i; printf "  %s:%s: %s… (%d characters)\n", $1, $2, substr(s, 1, 4), length(s) }' \
        <<<"$found" | sort -u | head -n 40 >&2
    exit 1
fi
echo "secret scan: clean" >&2
