#!/usr/bin/env bash
# Large values (issue 12): one SET and one GET of 1 MB, 10 MB and 100 MB values against
# redis-server and Basalt, each server alone on core 1 (taskset), the client on core 0: the
# time of each request and the server's RSS growth, and whether the memory is given back a few
# seconds after DEL (large_values.py does the measuring). Results: benchmarks/results/large-<time>.md
#
# Usage: benchmarks/e2e/large.sh          (build first: mvn -q -DskipTests package)
# Env:   SIZES="1 10 100" (MB) REPEAT=3 SETTLE=5 (s after DEL) MAXMEMORY= (e.g. 1gb, both servers)
#        BASALT_JAVA_OPTS=...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REDIS_PORT=${REDIS_PORT:-17301}
BASALT_PORT=${BASALT_PORT:-17302}
MAXMEMORY=${MAXMEMORY:-}
results="$here/benchmarks/results"
mkdir -p "$results"
out="$results/large-$(date -u +%Y%m%dT%H%M%SZ).md"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
wait_port() {
  for _ in $(seq 1 600); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server on port $1 did not start" >&2; return 1
}
limit=()
[ -n "$MAXMEMORY" ] && limit=(--maxmemory "$MAXMEMORY")

taskset -c 1 redis-server --port "$REDIS_PORT" --save "" --appendonly no --daemonize no \
  --logfile "$tmp/redis.log" ${limit[@]+"${limit[@]}"} &
redis_pid=$!; pids+=("$redis_pid")
taskset -c 1 "$here/bin/basalt-server" --port "$BASALT_PORT" --save "" --basalt-http-port 0 ${limit[@]+"${limit[@]}"} >"$tmp/basalt.log" 2>&1 &
basalt_pid=$!; pids+=("$basalt_pid")
wait_port "$REDIS_PORT"; wait_port "$BASALT_PORT"

{
  echo "# Large values, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`SIZES=\"${SIZES:-1 10 100}\" REPEAT=${REPEAT:-3} SETTLE=${SETTLE:-5} MAXMEMORY=$MAXMEMORY benchmarks/e2e/large.sh\`"
  echo "(servers on core 1, client on core 0; times are medians, RSS growth the largest of the rounds)"
  echo
  taskset -c 0 python3 "$here/benchmarks/e2e/large_values.py" \
    "redis:$REDIS_PORT:$redis_pid" "basalt:$BASALT_PORT:$basalt_pid"
} | tee "$out"
echo "Results: $out"
