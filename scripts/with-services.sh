#!/usr/bin/env bash
# Starts the real servers the tests talk to, each on a free loopback port, runs the given command
# with their addresses in the environment, and always tears them down (also on failure or ^C).
#
#   scripts/with-services.sh ctest --test-dir build      # or: scripts/with-services.sh bash
#
# Exports:
#   SI_TEST_REDIS_URL        redis://si_test:PASSWORD@127.0.0.1:PORT/0  (ACL user; "default" is off)
#   SI_TEST_REDIS_TLS_URL    rediss://si_test:PASSWORD@127.0.0.1:PORT/0 (certificate for 127.0.0.1/localhost)
#   SI_TEST_REDIS_TLS_CA     PEM file of the throwaway CA that signed it
#   SI_TEST_REDIS_CLUSTER_URL redis+cluster://si_test:PASSWORD@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
#                             (three primaries, no replicas)
#   SI_TEST_PG_DSN           postgresql://si_test:PASSWORD@127.0.0.1:PORT/si_test (SCRAM auth)
#   SI_TEST_PG_TLS_DSN       the same server with ?sslmode=verify-full&sslrootcert=<test CA>
#   SI_TEST_PG_LOG           the server's log: data-modifying statements with the application name
#                            ("app=session-inspector-readonly LOG:  statement: …"), for the read-only tests
#   SI_TEST_ISSUER           http://127.0.0.1:PORT — oidc-provider from tests/idp (npm ci first:
#                            scripts/install-deps.sh does it)
#   SI_TEST_IDP_ISSUED       every token and client secret the IdP issued, one per line (for the secret scan)
#   SI_TEST_SERVICES_DIR     the run's directory: the servers' logs (*.log) are in it
# Passwords and keys are random per run and live only in the run's temporary directory.
# SI_PG_SERVER_OPTIONS adds PostgreSQL server settings ("-c shared_buffers=2GB …"; the scale
# benchmarks size the server for a million sessions this way).
set -euo pipefail

if (($# == 0)); then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 1
fi

log() { echo "with-services: $*" >&2; }

work=$(mktemp -d /tmp/si-services.XXXXXX)
chmod 755 "$work"
pids=()
pg_data=""
pg_bin=""

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pidfile in "$work"/*.pid; do
        [[ -f "$pidfile" ]] || continue
        kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    if [[ -n "$pg_data" && -f "$pg_data/postmaster.pid" ]]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A port for a Redis Cluster node: its cluster bus listens on port + 10000, so both must be free
# (and below 65536); ports are drawn from 20000-29999 for that reason.
free_cluster_port() {
    /usr/bin/python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randint(20000, 29999)
    sockets = []
    try:
        for p in (port, port + 10000):
            s = socket.socket()
            s.bind(("127.0.0.1", p))
            sockets.append(s)
        print(port)
        break
    except OSError:
        pass
    finally:
        for s in sockets:
            s.close()
PY
}

wait_for_port() { # port seconds name
    local deadline=$((SECONDS + $2))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        if ((SECONDS > deadline)); then
            log "$3 did not start listening on port $1"
            return 1
        fi
        sleep 0.05
    done
}

random_secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }

# ---- TLS material: a throwaway CA and a server certificate for 127.0.0.1 / localhost.
tls="$work/tls"
mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Session Inspector test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$tls/ext.cnf"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
    -extfile "$tls/ext.cnf" -out "$tls/server.crt" 2>/dev/null
chmod 644 "$tls"/*

# ---- Redis: plain, TLS and a cluster of three primaries, all with an ACL user and the
# password-less default user switched off.
redis_password=$(random_secret)
acl=(--user default off --user si_test on ">$redis_password" '~*' '&*' '+@all')

start_redis() { # name port [extra args...]
    local name=$1 port=$2
    shift 2
    mkdir -p "$work/$name"
    redis-server --bind 127.0.0.1 --save '' --appendonly no --dir "$work/$name" --daemonize yes \
        --pidfile "$work/$name.pid" --logfile "$work/$name/redis.log" --port "$port" "$@" "${acl[@]}"
}

redis_port=$(free_port)
start_redis redis "$redis_port"
wait_for_port "$redis_port" 10 redis-server
export SI_TEST_REDIS_URL="redis://si_test:$redis_password@127.0.0.1:$redis_port/0"

redis_tls_port=$(free_port)
start_redis redis-tls 0 --tls-port "$redis_tls_port" --tls-cert-file "$tls/server.crt" \
    --tls-key-file "$tls/server.key" --tls-ca-cert-file "$tls/ca.crt" --tls-auth-clients no
wait_for_port "$redis_tls_port" 10 "redis-server (TLS)"
export SI_TEST_REDIS_TLS_URL="rediss://si_test:$redis_password@127.0.0.1:$redis_tls_port/0"
export SI_TEST_REDIS_TLS_CA="$tls/ca.crt"

cluster_ports=()
for i in 1 2 3; do
    port=$(free_cluster_port)
    while [[ " ${cluster_ports[*]} " == *" $port "* ]]; do port=$(free_cluster_port); done
    cluster_ports+=("$port")
    start_redis "cluster$i" "$port" --cluster-enabled yes --cluster-config-file "$work/cluster$i/nodes.conf" \
        --cluster-node-timeout 2000 --masteruser si_test --masterauth "$redis_password"
done
for port in "${cluster_ports[@]}"; do wait_for_port "$port" 10 "redis-server (cluster)"; done
REDISCLI_AUTH="$redis_password" redis-cli --user si_test --cluster create \
    "127.0.0.1:${cluster_ports[0]}" "127.0.0.1:${cluster_ports[1]}" "127.0.0.1:${cluster_ports[2]}" \
    --cluster-replicas 0 --cluster-yes >"$work/cluster-create.log" 2>&1 || {
    cat "$work/cluster-create.log" >&2
    exit 1
}
deadline=$((SECONDS + 20))
until REDISCLI_AUTH="$redis_password" redis-cli --user si_test -p "${cluster_ports[0]}" cluster info 2>/dev/null |
    grep -q 'cluster_state:ok'; do
    if ((SECONDS > deadline)); then
        log "the Redis cluster did not reach cluster_state:ok"
        exit 1
    fi
    sleep 0.1
done
export SI_TEST_REDIS_CLUSTER_URL="redis+cluster://si_test:$redis_password@127.0.0.1:${cluster_ports[0]},127.0.0.1:${cluster_ports[1]},127.0.0.1:${cluster_ports[2]}"
log "redis on $redis_port, redis TLS on $redis_tls_port, cluster on ${cluster_ports[*]}"

# ---- PostgreSQL with SCRAM password authentication.
initdb_path=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$initdb_path" ]]; then
    log "PostgreSQL is not installed (run scripts/install-deps.sh)"
    exit 1
fi
pg_bin=$(dirname "$initdb_path")
pg_data="$work/pg"
pg_port=$(free_port)
pg_super_password=$(random_secret)
pg_password=$(random_secret)
mkdir -p "$pg_data"
printf '%s\n' "$pg_super_password" >"$work/pg-super.pw"
if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$pg_data" "$work/pg-super.pw"
fi
chmod 700 "$pg_data"
as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=scram-sha-256 --pwfile="$work/pg-super.pw" \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$work/initdb.log" 2>&1 || {
    cat "$work/initdb.log" >&2
    exit 1
}
rm -f "$work/pg-super.pw"
cp "$tls/server.crt" "$pg_data/server.crt"
cp "$tls/server.key" "$pg_data/server.key"
chmod 600 "$pg_data/server.key"
if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$pg_data/server.crt" "$pg_data/server.key"
fi
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 30 \
    -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key -c log_statement=mod -c log_line_prefix='app=%a ' ${SI_PG_SERVER_OPTIONS:-}" \
    start >/dev/null || {
    cat "$pg_data/server.log" >&2
    exit 1
}
PGPASSWORD="$pg_super_password" psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "SET log_statement = 'none'" -c "CREATE ROLE si_test LOGIN PASSWORD '$pg_password'" -c "CREATE DATABASE si_test OWNER si_test" >/dev/null
export SI_TEST_PG_DSN="postgresql://si_test:$pg_password@127.0.0.1:$pg_port/si_test"
export SI_TEST_PG_LOG="$pg_data/server.log"
export SI_TEST_PG_TLS_DSN="$SI_TEST_PG_DSN?sslmode=verify-full&sslrootcert=$tls/ca.crt"
log "postgresql on $pg_port"

# ---- The test OpenID Provider.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ ! -d "$root/tests/idp/node_modules/oidc-provider" ]]; then
    log "the test IdP is not installed (run scripts/install-deps.sh, which runs npm ci in tests/idp)"
    exit 1
fi
idp_port=$(free_port)
export SI_TEST_IDP_ISSUED="$work/idp-issued.txt"
: >"$SI_TEST_IDP_ISSUED"
(cd "$root/tests/idp" && PORT="$idp_port" exec node server.js >"$work/idp.log" 2>&1) &
echo $! >"$work/idp.pid"
wait_for_port "$idp_port" 20 "the test IdP" || {
    cat "$work/idp.log" >&2
    exit 1
}
export SI_TEST_ISSUER="http://127.0.0.1:$idp_port"
export SI_TEST_SERVICES_DIR="$work"
log "test IdP at $SI_TEST_ISSUER"

set +e
"$@"
status=$?
set -e
exit "$status"
