#!/usr/bin/env bash
# End-to-end throughput / latency / CPU comparison of Basalt against redis-server.
#
# Each server runs alone on core 1 (taskset -c 1); redis-benchmark runs on core 0. For SET and GET
# at pipeline 1 and 16 with 32 B and 1 KiB values it records ops/s, p50, p99 (redis-benchmark
# --csv) and the server's CPU time per request (utime+stime of the whole process from
# /proc/<pid>/stat, all threads, GC and JIT included). Results: benchmarks/results/compare-<time>.md
#
# Usage: benchmarks/e2e/compare.sh            (build first: mvn -q -DskipTests package)
# Env:   N=200000 CLIENTS=50 KEYSPACE=100000 SERVER_CPU=1 CLIENT_CPU=0 BASALT_JAVA_OPTS=...
#        TESTS="set get" PIPELINES="1 16" SIZES="32 1024"  (any redis-benchmark -t test names,
#        e.g. TESTS="lpush lpop sadd hset zadd" SIZES=32 for the collection commands; besides
#        redis-benchmark's tests, "zrange" (ZRANGE myzset 0 9) and "zrank" (ZRANK of a random
#        member) read the set that "zadd" grows: TESTS="zadd zrange zrank")
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=${N:-200000}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
TESTS=${TESTS:-set get}
PIPELINES=${PIPELINES:-1 16}
SIZES=${SIZES:-32 1024}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
REDIS_PORT=${REDIS_PORT:-17101}
BASALT_PORT=${BASALT_PORT:-17102}
results="$here/benchmarks/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/compare-$stamp.md"
tmp=$(mktemp -d)
pids=()
cleanup() {
  if [ -n "${basalt_pid:-}" ] && ! kill -0 "$basalt_pid" 2>/dev/null; then
    echo "Basalt exited early; its log:" >&2
    tail -30 "$tmp/basalt.log" >&2 || true
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    # SIGKILL whatever has not exited 10 s after SIGTERM
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

hz=$(getconf CLK_TCK)
cpu_ticks() { # utime + stime of process $1 (field 14 and 15; comm may hold spaces, so cut after ')')
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

wait_port() {
  for _ in $(seq 1 600); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

start_servers() {
  taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --save "" --appendonly no \
      --daemonize no --logfile "$tmp/redis.log" &
  redis_pid=$!; pids+=("$redis_pid")
  taskset -c "$SERVER_CPU" "$here/bin/basalt-server" --port "$BASALT_PORT" --save "" --basalt-http-port 0 \
      >"$tmp/basalt.log" 2>&1 &
  basalt_pid=$!; pids+=("$basalt_pid")
  wait_port "$REDIS_PORT"
  wait_port "$BASALT_PORT"
}

# run <port> <pid> <test> <pipeline> <size> -> "rps p50 p99 cpu_us_per_req"
run() {
  local port=$1 pid=$2 test=$3 p=$4 d=$5
  local before after line
  local args=(-t "$test") label=$test # options first: redis-benchmark takes the rest as a command
  case "$test" in
    # not redis-benchmark tests: custom commands over the sorted set its zadd test grows (run
    # zadd first in TESTS so the set is there; the warm-up below grows it too)
    zrange) args=(ZRANGE myzset 0 9); label="ZRANGE myzset 0 9" ;;
    zrank) args=(ZRANK myzset element:__rand_int__); label="ZRANK myzset element:__rand_int__" ;;
    mset) label="MSET (10 keys)" ;; # redis-benchmark's own label for its mset test
  esac
  before=$(cpu_ticks "$pid")
  line=$(taskset -c "$CLIENT_CPU" redis-benchmark -p "$port" -n "$N" -c "$CLIENTS" \
      -r "$KEYSPACE" -P "$p" -d "$d" --csv "${args[@]}" 2>/dev/null | grep -i "^\"$label\"" | head -1)
  after=$(cpu_ticks "$pid")
  # "SET","rps","avg","min","p50","p95","p99","max"
  echo "$line" | tr -d '"' | awk -F, -v t=$((after - before)) -v hz="$hz" -v n="$N" \
      '{printf "%s %s %s %.2f\n", $2, $5, $7, t * 1e6 / hz / n}'
}

start_servers
echo "warming up (JIT) ..." >&2
for pp in "$REDIS_PORT:$redis_pid" "$BASALT_PORT:$basalt_pid"; do
  port=${pp%%:*}
  # every shape that is measured below, so no server is timed while its JIT still compiles
  # (on the one pinned core, C2 compiling the 1 KiB paths took ~40% of the first timed run)
  for d in $SIZES; do
    for p in $PIPELINES; do
      for t in $TESTS; do run "$port" "${pp#*:}" "$t" "$p" "$d" >/dev/null; done
    done
  done
done

{
  echo "# Basalt vs redis-server, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo
  echo "Host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Servers pinned to core $SERVER_CPU, redis-benchmark to core $CLIENT_CPU;"
  echo "redis-benchmark -n $N -c $CLIENTS -r $KEYSPACE -P <pipeline> -d <size> --csv"
  echo "$(redis-server --version | cut -d' ' -f1-3); Basalt JVM: $(tr '\0' ' ' < /proc/$basalt_pid/cmdline | sed 's/ -jar .*//')"
  echo
  echo "| test | pipeline | size | Redis ops/s | Basalt ops/s | ratio | Redis p50 ms | Basalt p50 ms | Redis p99 ms | Basalt p99 ms | Redis CPU µs/req | Basalt CPU µs/req | CPU ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$out"

for d in $SIZES; do
  for p in $PIPELINES; do
    for test in $TESTS; do
      read -r r_rps r_p50 r_p99 r_cpu < <(run "$REDIS_PORT" "$redis_pid" "$test" "$p" "$d")
      read -r b_rps b_p50 b_p99 b_cpu < <(run "$BASALT_PORT" "$basalt_pid" "$test" "$p" "$d")
      row=$(awk -v t="$test" -v p="$p" -v d="$d" -v rr="$r_rps" -v br="$b_rps" -v r50="$r_p50" \
          -v b50="$b_p50" -v r99="$r_p99" -v b99="$b_p99" -v rc="$r_cpu" -v bc="$b_cpu" \
          'BEGIN{printf "| %s | %s | %s | %.0f | %.0f | %.2f | %s | %s | %s | %s | %.2f | %.2f | %.2f |",
                 toupper(t), p, d, rr, br, (rr>0?br/rr:0), r50, b50, r99, b99, rc, bc, (rc>0?bc/rc:0)}')
      echo "$row" | tee -a "$out" >&2
    done
  done
done
echo >> "$out"
echo "Load after run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
echo "results in $out" >&2
cat "$out"
