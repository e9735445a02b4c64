#!/usr/bin/env bash
# GET/SET over TLS (redis-benchmark --tls, mutual TLS with a client certificate) at pipeline 1
# and 16, and the handshake rate (a new connection for every request: -k 0), for redis-server
# and for Basalt with each TLS engine: BoringSSL through netty-tcnative ("openssl") and the
# JDK's ("jdk"), chosen with basalt-tls-provider. ops/s as redis-benchmark reports them, and the
# server's CPU µs per request (utime+stime from /proc over the run), which a busy host disturbs
# less. Server on core $SERVER_CPU, redis-benchmark on core $CLIENT_CPU. Certificates: a CA, a
# server and a client certificate made with openssl, as Redis's utils/gen-test-certs.sh.
# Results: benchmarks/results/tls-<time>.md
#
# Usage: benchmarks/e2e/tls.sh   (build first: mvn -q -DskipTests package)
# Env:   N=1000000 N1=200000 NH=5000 CLIENTS=50 PORT=17701 SERVER_CPU=1 CLIENT_CPU=0
#        KINDS="redis basalt-openssl basalt-jdk"
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=${N:-1000000}
N1=${N1:-200000}
NH=${NH:-5000}
CLIENTS=${CLIENTS:-50}
PORT=${PORT:-17701}
TLS_PORT=$((PORT + 1))
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
KINDS=${KINDS:-"redis basalt-openssl basalt-jdk"}
results="$here/benchmarks/results"
mkdir -p "$results"
out="$results/tls-$(date -u +%Y%m%dT%H%M%SZ).md"
tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# certificates
(
  cd "$tmp"
  openssl genrsa -out ca.key 2048 2>/dev/null
  openssl req -x509 -new -nodes -sha256 -key ca.key -days 365 -subj '/O=Basalt Bench/CN=CA' -out ca.crt
  for n in server client; do
    openssl genrsa -out $n.key 2048 2>/dev/null
    openssl req -new -sha256 -subj "/O=Basalt Bench/CN=$n" -key $n.key -out $n.csr
    openssl x509 -req -sha256 -in $n.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -out $n.crt 2>/dev/null
  done
)
TLS_SERVER=(--tls-port "$TLS_PORT" --tls-cert-file "$tmp/server.crt" --tls-key-file "$tmp/server.key"
            --tls-ca-cert-file "$tmp/ca.crt")
TLS_CLIENT=(--tls --cert "$tmp/client.crt" --key "$tmp/client.key" --cacert "$tmp/ca.crt")

wait_port() {
  for _ in $(seq 1 600); do
    redis-cli -p "$TLS_PORT" "${TLS_CLIENT[@]}" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1
  done
  echo "no server on $PORT" >&2; return 1
}

start() { # start <kind>
  local dir="$tmp/$1"; mkdir -p "$dir"
  for _ in $(seq 1 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 || break; sleep 0.1; done
  case "$1" in
    redis)
      taskset -c "$SERVER_CPU" redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no \
          "${TLS_SERVER[@]}" --dir "$dir" > "$dir/log" 2>&1 & ;;
    basalt-*)
      taskset -c "$SERVER_CPU" "$here/bin/basalt-server" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no \
          "${TLS_SERVER[@]}" --basalt-tls-provider "${1#basalt-}" --dir "$dir" --basalt-http-port 0 > "$dir/log" 2>&1 & ;;
  esac
  pid=$!
  wait_port
}

server_pid() { redis-cli -p "$PORT" info server | tr -d '\r' | sed -n 's/^process_id://p'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run <n> <redis-benchmark args...>: prints "ops/s cpu-µs-per-request"
run() {
  local n=$1; shift
  local sp; sp=$(server_pid)
  local a; a=$(ticks "$sp")
  local rps
  rps=$(taskset -c "$CLIENT_CPU" redis-benchmark -p "$TLS_PORT" "${TLS_CLIENT[@]}" -n "$n" -c "$CLIENTS" -r 100000 "$@" -q \
        | tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1)
  local b; b=$(ticks "$sp")
  awk -v r="$rps" -v d=$((b - a)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {printf "%.0f %.2f", r, d / hz * 1e6 / n}'
}

{
  echo "# GET/SET over TLS, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "ops/s (server CPU µs per request), mutual TLS, $CLIENTS clients; P1: $N1 requests, P16: $N;"
  echo "handshakes: $NH requests with a new connection each (-k 0, 10 clients)."
  echo
  echo "| server | SET P1 | GET P1 | SET P16 | GET P16 | handshakes/s |"
  echo "|---|---|---|---|---|---|"
} > "$out"
for kind in $KINDS; do
  start "$kind"
  # warm-up (JIT, session caches)
  run $((N / 4)) -P 16 -t set,get > /dev/null
  declare -A r=()
  for t in set get; do
    read -r o c <<< "$(run "$N1" -t $t)"; r[$t-1]="$o ($c)"
    read -r o c <<< "$(run "$N" -P 16 -t $t)"; r[$t-16]="$o ($c)"
  done
  read -r o c <<< "$(CLIENTS=10 run "$NH" -k 0 -c 10 -t get)"; r[hs]="$o ($c)"
  echo "| $kind | ${r[set-1]} | ${r[get-1]} | ${r[set-16]} | ${r[get-16]} | ${r[hs]} |" >> "$out"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
echo >> "$out"
echo "Command: \`N=$N N1=$N1 NH=$NH benchmarks/e2e/tls.sh\`" >> "$out"
cat "$out"
