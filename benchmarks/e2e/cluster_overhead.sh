#!/usr/bin/env bash
# What cluster mode costs on the single-node path: server CPU time per request of SET and GET at
# pipeline 16, standalone against cluster-enabled with every slot served here (the router runs
# for every command), for Basalt and, as the reference, redis-server. CPU time (utime+stime of
# the server process over the run, from /proc) rather than ops/s, so a busy host shifts both
# modes alike. Server on core $SERVER_CPU, redis-benchmark on core $CLIENT_CPU.
# Results: benchmarks/results/cluster-overhead-<time>.md
#
# Usage: benchmarks/e2e/cluster_overhead.sh   (build first: mvn -q -DskipTests package)
# Env:   N=2000000 CLIENTS=50 KEYSPACE=100000 PORT=17601 SERVER_CPU=1 CLIENT_CPU=0 KINDS="redis basalt"
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=${N:-2000000}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
PORT=${PORT:-17601}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
KINDS=${KINDS:-"redis basalt"}
results="$here/benchmarks/results"
mkdir -p "$results"
out="$results/cluster-overhead-$(date -u +%Y%m%dT%H%M%SZ).md"
tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 600); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "no server on $PORT" >&2; return 1
}

start() { # start <kind> <cluster yes|no>
  local dir="$tmp/$1-$2"; mkdir -p "$dir"
  for _ in $(seq 1 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 || break; sleep 0.1; done
  if [ "$1" = redis ]; then
    taskset -c "$SERVER_CPU" redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no \
        --cluster-enabled "$2" --cluster-port $((PORT + 1)) --dir "$dir" > "$dir/log" 2>&1 &
  else
    taskset -c "$SERVER_CPU" "$here/bin/basalt-server" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no \
        --cluster-enabled "$2" --cluster-port $((PORT + 1)) --dir "$dir" --basalt-http-port 0 > "$dir/log" 2>&1 &
  fi
  pid=$!
  wait_port
  if [ "$2" = yes ]; then
    redis-cli -p "$PORT" cluster addslotsrange 0 16383 >/dev/null
    for _ in $(seq 1 100); do redis-cli -p "$PORT" cluster info | grep -q cluster_state:ok && break; sleep 0.1; done
  fi
}

server_pid() { redis-cli -p "$PORT" info server | tr -d '\r' | sed -n 's/^process_id://p'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# cpu_per_op <test>: server CPU microseconds per request over N requests of <test> at pipeline 16
cpu_per_op() {
  local sp; sp=$(server_pid)
  # warm-up (JIT)
  taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -n $((N / 4)) -c "$CLIENTS" -r "$KEYSPACE" -P 16 -t "$1" -q > /dev/null
  local a; a=$(ticks "$sp")
  taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -n "$N" -c "$CLIENTS" -r "$KEYSPACE" -P 16 -t "$1" -q > /dev/null
  local b; b=$(ticks "$sp")
  awk -v d=$((b - a)) -v hz="$(getconf CLK_TCK)" -v n="$N" 'BEGIN {printf "%.3f", d / hz * 1e6 / n}'
}

{
  echo "# Cluster mode on the single-node path, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Server CPU µs per request, SET/GET at pipeline 16, $N requests, $CLIENTS clients (lower is better)."
  echo
  echo "| server | SET standalone | SET cluster | ratio | GET standalone | GET cluster | ratio |"
  echo "|---|---|---|---|---|---|---|"
} > "$out"
for kind in $KINDS; do
  declare -A r=()
  for mode in no yes; do
    start "$kind" "$mode"
    r[set-$mode]=$(cpu_per_op set)
    r[get-$mode]=$(cpu_per_op get)
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
  sr=$(awk -v a="${r[set-yes]}" -v b="${r[set-no]}" 'BEGIN {printf "%.3f", a / b}')
  gr=$(awk -v a="${r[get-yes]}" -v b="${r[get-no]}" 'BEGIN {printf "%.3f", a / b}')
  echo "| $kind | ${r[set-no]} | ${r[set-yes]} | $sr | ${r[get-no]} | ${r[get-yes]} | $gr |" >> "$out"
done
echo >> "$out"
echo "Command: \`N=$N benchmarks/e2e/cluster_overhead.sh\`" >> "$out"
cat "$out"
