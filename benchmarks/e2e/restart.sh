#!/usr/bin/env bash
# Restart to first reply (issue 12): how long redis-server and Basalt take from the start of the
# process to the first PONG (data loaded), with
#   rdb: a dump.rdb of KEYS keys (DEBUG POPULATE, 1M by default), written by each server itself;
#   aof: appendonly yes with a small AOF (1000 SETs).
# Each case is started RUNS times; the table gives the median and the best, in ms.
# Results: benchmarks/results/restart-<time>.md
#
# Usage: benchmarks/e2e/restart.sh          (build first: mvn -q -DskipTests package)
# Env:   KEYS=1000000 RUNS=5 BASALT_JAVA_OPTS=...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=${KEYS:-1000000}
RUNS=${RUNS:-5}
PORT=${PORT:-17401}
results="$here/benchmarks/results"
mkdir -p "$results"
out="$results/restart-$(date -u +%Y%m%dT%H%M%SZ).md"
tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

start() { # start <server> <dir> <extra args...>: starts in the background, sets $pid
  local srv=$1 dir=$2; shift 2
  if [ "$srv" = redis ]; then
    redis-server --port "$PORT" --dir "$dir" --save "" --enable-debug-command yes "$@" >"$dir/log" 2>&1 &
  else
    "$here/bin/basalt-server" --port "$PORT" --dir "$dir" --save "" --basalt-http-port 0 --enable-debug-command yes "$@" >"$dir/log" 2>&1 &
  fi
  pid=$!
}

first_pong() { # milliseconds from $1 (ms) until PING answers PONG
  local t0=$1
  until [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ]; do sleep 0.005; done
  echo $(($(now_ms) - t0))
}

stop() {
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  pid=""
}

measure() { # measure <server> <case>: prints "median best"
  local srv=$1 case=$2 dir="$tmp/$1-$2" times=()
  mkdir -p "$dir"
  local extra=()
  [ "$case" = aof ] && extra=(--appendonly yes)
  # the data: written by the server itself
  start "$srv" "$dir" ${extra[@]+"${extra[@]}"}
  first_pong "$(now_ms)" >/dev/null
  if [ "$case" = rdb ]; then
    redis-cli -p "$PORT" debug populate "$KEYS" >/dev/null
    redis-cli -p "$PORT" save >/dev/null
  else
    for i in $(seq 1 1000); do echo "SET key:$i value:$i"; done | redis-cli -p "$PORT" >/dev/null
  fi
  stop
  for _ in $(seq 1 "$RUNS"); do
    local t0; t0=$(now_ms)
    start "$srv" "$dir" ${extra[@]+"${extra[@]}"}
    times+=("$(first_pong "$t0")")
    stop
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[1]}'
}

{
  echo "# Restart to first reply, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`KEYS=$KEYS RUNS=$RUNS benchmarks/e2e/restart.sh\` (ms from process start to the first PONG)"
  echo
  echo "| case | redis median | redis best | basalt median | basalt best |"
  echo "|---|---:|---:|---:|---:|"
  for c in rdb aof; do
    read -r rm rb < <(measure redis "$c")
    read -r bm bb < <(measure basalt "$c")
    label="dump.rdb, $KEYS keys"; [ "$c" = aof ] && label="appendonly, 1000 SETs"
    echo "| $label | $rm | $rb | $bm | $bb |"
  done
} | tee "$out"
echo "Results: $out"
