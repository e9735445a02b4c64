#!/usr/bin/env bash
# Eviction benchmark: Basalt against redis-server under the same maxmemory.
#
# 1. Hit ratio and latency: a cache-aside Zipfian trace (zipf_cache.py: GET, and SET on a miss;
#    exponent 0.99 over KEYS keys of SIZE bytes). Run first without a limit (the GET latency
#    baseline; the used_memory growth in redis-server is the size of the data the trace touches),
#    then with maxmemory = the empty redis-server's used_memory + a third of that growth, for
#    allkeys-lru and allkeys-lfu. The warm-up half of each run is not measured.
# 2. RSS under a sustained write load: redis-benchmark SETs of 1 KiB values over 10^8 random keys
#    with maxmemory RSS_LIMIT and allkeys-lru; the process RSS is sampled every 0.5 s.
# Results: benchmarks/results/eviction-<time>.md
#
# Usage: benchmarks/e2e/eviction.sh          (build first: mvn -q -DskipTests package)
# Env:   KEYS=300000 OPS=150000 SIZE=100 RSS_LIMIT=64mb RSS_N=1000000 BASALT_JAVA_OPTS=...
#        PARTS="trace rss" (either or both)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=${KEYS:-300000}
OPS=${OPS:-150000}
SIZE=${SIZE:-100}
RSS_LIMIT=${RSS_LIMIT:-64mb}
RSS_N=${RSS_N:-1000000}
PARTS=${PARTS:-trace rss}
REDIS_PORT=${REDIS_PORT:-17201}
BASALT_PORT=${BASALT_PORT:-17202}
results="$here/benchmarks/results"
mkdir -p "$results"
out="$results/eviction-$(date -u +%Y%m%dT%H%M%SZ).md"
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
info() { redis-cli -p "$1" info "$2" | tr -d '\r' | sed -n "s/^$3://p"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

redis-server --port "$REDIS_PORT" --save "" --appendonly no --daemonize no --logfile "$tmp/redis.log" &
redis_pid=$!; pids+=("$redis_pid")
"$here/bin/basalt-server" --port "$BASALT_PORT" --save "" --basalt-http-port 0 >"$tmp/basalt.log" 2>&1 &
basalt_pid=$!; pids+=("$basalt_pid")
wait_port "$REDIS_PORT"; wait_port "$BASALT_PORT"

run_trace() { # run_trace <srv> <policy> <limit>: one table row
  local srv=$1 policy=$2 limit=$3 port=$REDIS_PORT
  [ "$srv" = basalt ] && port=$BASALT_PORT
  redis-cli -p "$port" config set maxmemory 0 >/dev/null
  redis-cli -p "$port" flushall >/dev/null
  redis-cli -p "$port" config set maxmemory-policy "$policy" >/dev/null
  redis-cli -p "$port" config set maxmemory "$limit" >/dev/null
  redis-cli -p "$port" config resetstat >/dev/null
  base_used=$(info "$port" memory used_memory)
  r=$(python3 "$here/benchmarks/e2e/zipf_cache.py" "$port" --keys "$KEYS" --ops "$OPS" --size "$SIZE")
  end_used=$(info "$port" memory used_memory)
  local ev dbsize
  ev=$(info "$port" stats evicted_keys)
  dbsize=$(redis-cli -p "$port" dbsize)
  python3 -c "import json,sys; d=json.loads(sys.argv[1]); print('| $srv | $policy | $limit | %.4f | %s | %s | %s | $ev | $dbsize |' % (d['hit_ratio'], d['p50_us'], d['p99_us'], d['p999_us']))" "$r" | tee -a "$out"
}

{
  echo "# Eviction benchmark $(date -u +%FT%TZ)"
  echo
  echo "$(redis-server --version | cut -d' ' -f1-3); trace: $KEYS keys, Zipf 0.99, values of $SIZE B, $OPS measured ops after as many warm-up ops"
  echo
  echo "| server | policy | maxmemory | hit ratio | GET p50 us | GET p99 us | GET p99.9 us | evicted_keys | keys at end |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$out"
if [[ " $PARTS " == *" trace "* ]]; then
  # without a limit first: the latency baseline, and the size of the data the trace touches
  run_trace redis allkeys-lru 0
  maxmemory=$(( base_used + (end_used - base_used) / 3 ))
  run_trace basalt allkeys-lru 0
  for policy in allkeys-lru allkeys-lfu; do
    for srv in redis basalt; do run_trace "$srv" "$policy" "$maxmemory"; done
  done
  echo "maxmemory = redis-server's empty used_memory + a third of its used_memory growth over the unlimited trace" >> "$out"
fi

[[ " $PARTS " == *" rss "* ]] || { echo "Results: $out"; exit 0; }
{
  echo
  echo "RSS under sustained writes: redis-benchmark -t set -n $RSS_N -r 100000000 -d 1024 -P 16, maxmemory $RSS_LIMIT, allkeys-lru"
  echo
  echo "| server | maxmemory (B) | used_memory at end | peak RSS | RSS at end | peak RSS / maxmemory | SET/s |"
  echo "|---|---|---|---|---|---|---|"
} >> "$out"
# Fresh servers, maxmemory given at start as an operator would configure it (bin/basalt-server
# sizes the JVM heap from it), not after a trace has already grown the heap.
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
pids=()
for srv in redis basalt; do
  if [ "$srv" = redis ]; then
    port=$REDIS_PORT
    redis-server --port "$port" --save "" --appendonly no --daemonize no --logfile "$tmp/redis2.log" \
        --maxmemory "$RSS_LIMIT" --maxmemory-policy allkeys-lru &
  else
    port=$BASALT_PORT
    "$here/bin/basalt-server" --port "$port" --save "" --basalt-http-port 0 --maxmemory "$RSS_LIMIT" \
        --maxmemory-policy allkeys-lru >"$tmp/basalt2.log" 2>&1 &
  fi
  pid=$!; pids+=("$pid")
  wait_port "$port"
  mm=$(info "$port" memory maxmemory)
  redis-benchmark -p "$port" -t set -n "$RSS_N" -r 100000000 -d 1024 -P 16 -q 2>/dev/null \
      | tr '\r' '\n' | grep -a 'requests per second' | tail -1 > "$tmp/rate" &
  bench=$!
  peak=0
  while kill -0 "$bench" 2>/dev/null; do
    r=$(rss_kb "$pid"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.5
  done
  end=$(rss_kb "$pid"); [ "$end" -gt "$peak" ] && peak=$end
  used=$(info "$port" memory used_memory)
  ratio=$(python3 -c "print('%.2f' % ($peak * 1024 / $mm))")
  rate=$(sed 's/.*SET: \([0-9.]*\) requests per second.*/\1/' "$tmp/rate")
  echo "| $srv | $mm | $used | $(( peak / 1024 )) MiB | $(( end / 1024 )) MiB | $ratio | $rate |" | tee -a "$out"
done
echo "Results: $out"
