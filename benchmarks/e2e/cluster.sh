#!/usr/bin/env bash
# Cluster bus cost and failover time, Basalt nodes against redis-server nodes.
#
# For each kind of node (redis-server, then Basalt), a 6-node cluster (3 masters, 3 replicas)
# made with `redis-cli --cluster create`, then:
#   1. idle: for $IDLE seconds after the cluster settles, the CPU time all 6 processes used
#      (utime+stime from /proc/<pid>/stat) and the bytes they wrote (wchar from /proc/<pid>/io:
#      at idle that is the cluster bus, plus nodes.conf and log lines);
#   2. failover: `kill -9` of one master, then the time until its replica answers ROLE as a
#      master (cluster-node-timeout $NODE_TIMEOUT ms, as the Redis tutorial's test).
# Results: benchmarks/results/cluster-<time>.md
#
# Usage: benchmarks/e2e/cluster.sh           (build first: mvn -q -DskipTests package)
# Env:   IDLE=60 SETTLE=30 NODE_TIMEOUT=5000 BASE_PORT=17400 KINDS="redis basalt"
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IDLE=${IDLE:-60}
SETTLE=${SETTLE:-30}
NODE_TIMEOUT=${NODE_TIMEOUT:-5000}
BASE_PORT=${BASE_PORT:-17400}
KINDS=${KINDS:-"redis basalt"}
results="$here/benchmarks/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/cluster-$stamp.md"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 600); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wchar() { awk '/^wchar/ {print $2}' "/proc/$1/io"; }

start_node() { # start_node <kind> <port>
  local kind=$1 port=$2 dir="$tmp/$1-$2"
  mkdir -p "$dir"
  if [ "$kind" = redis ]; then
    (cd "$dir" && exec redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
        --cluster-node-timeout "$NODE_TIMEOUT" --save "" --appendonly no --dir "$dir" > "$dir/log" 2>&1) &
  else
    (cd "$dir" && BASALT_JAVA_OPTS="${BASALT_JAVA_OPTS:--Xmx512m}" exec "$here/bin/basalt-server" --port "$port" \
        --bind 127.0.0.1 --cluster-enabled yes --cluster-node-timeout "$NODE_TIMEOUT" --save "" \
        --appendonly no --dir "$dir" --basalt-http-port 0 > "$dir/log" 2>&1) &
  fi
  pids+=("$!")
}

server_pid() { redis-cli -p "$1" info server | tr -d '\r' | sed -n 's/^process_id://p'; }

{
  echo "# Cluster bus and failover, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "6 nodes (3 masters + 3 replicas) on 127.0.0.1, cluster-node-timeout $NODE_TIMEOUT ms, idle $IDLE s."
  echo
  echo "| nodes | idle CPU (s of CPU per node per minute) | idle bytes written per node per s | failover (ms from kill -9 to ROLE master) |"
  echo "|---|---|---|---|"
} > "$out"

for kind in $KINDS; do
  ports=()
  for i in 0 1 2 3 4 5; do
    p=$((BASE_PORT + i))
    start_node "$kind" "$p"
    ports+=("$p")
  done
  for p in "${ports[@]}"; do wait_port "$p"; done
  addrs=(); for p in "${ports[@]}"; do addrs+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes > "$tmp/create-$kind.log" 2>&1
  for _ in $(seq 1 300); do
    ok=0
    for p in "${ports[@]}"; do
      redis-cli -p "$p" cluster info | grep -q cluster_state:ok && ok=$((ok + 1))
    done
    [ "$ok" = 6 ] && break
    sleep 0.2
  done
  sleep "$SETTLE" # settle: handshakes done, the JIT past the start-up code
  spids=(); for p in "${ports[@]}"; do spids+=("$(server_pid "$p")"); done
  c0=0; w0=0
  for sp in "${spids[@]}"; do c0=$((c0 + $(cpu_ticks "$sp"))); w0=$((w0 + $(wchar "$sp"))); done
  sleep "$IDLE"
  c1=0; w1=0
  for sp in "${spids[@]}"; do c1=$((c1 + $(cpu_ticks "$sp"))); w1=$((w1 + $(wchar "$sp"))); done
  hz=$(getconf CLK_TCK)
  cpu=$(awk -v d=$((c1 - c0)) -v hz="$hz" -v t="$IDLE" 'BEGIN {printf "%.3f", d / hz / 6 * 60 / t}')
  bytes=$(awk -v d=$((w1 - w0)) -v t="$IDLE" 'BEGIN {printf "%.0f", d / 6 / t}')
  # failover: the first master listed by the create and its replica
  master=${ports[0]}
  mid=$(redis-cli -p "$master" cluster myid)
  replica=""
  for p in "${ports[@]}"; do
    if redis-cli -p "$p" cluster nodes | grep myself | grep -q "slave $mid"; then replica=$p; fi
  done
  kill -9 "$(server_pid "$master")"
  t0=$(date +%s%N)
  for _ in $(seq 1 1200); do
    [ "$(redis-cli -p "$replica" role 2>/dev/null | head -1)" = master ] && break
    sleep 0.05
  done
  t1=$(date +%s%N)
  fo=$(( (t1 - t0) / 1000000 ))
  echo "| $kind | $cpu | $bytes | $fo |" >> "$out"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
done
echo >> "$out"
echo "Command: \`IDLE=$IDLE NODE_TIMEOUT=$NODE_TIMEOUT benchmarks/e2e/cluster.sh\`" >> "$out"
cat "$out"
