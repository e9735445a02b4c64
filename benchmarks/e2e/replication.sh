#!/usr/bin/env bash
# Replication cost, Basalt against redis-server, each as the master of a redis-server replica.
#
# For each master (redis-server, then Basalt), pinned to core 1 (taskset -c 1) with
# redis-benchmark on core 0:
#   1. SET at pipeline 16 with no replica (ops/s);
#   2. full sync of the dataset the SETs left plus DEBUG POPULATE $KEYS keys: the time from
#      `REPLICAOF` on the replica until its offset equals the master's, and the master's RSS
#      before the sync and its peak during it;
#   3. SET at pipeline 16 again with the replica attached, and the replica's lag at the end
#      (master_repl_offset - slave_repl_offset right after the run, then the time to catch up).
# The replica is always a redis-server (unpinned), so both masters feed the same consumer.
# Results: benchmarks/results/replication-<time>.md
#
# Usage: benchmarks/e2e/replication.sh       (build first: mvn -q -DskipTests package)
# Env:   N=1000000 KEYS=1000000 CLIENTS=50 KEYSPACE=100000 SIZE=32 SERVER_CPU=1 CLIENT_CPU=0
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=${N:-1000000}
KEYS=${KEYS:-1000000}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
SIZE=${SIZE:-32}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
MASTER_PORT=${MASTER_PORT:-17201}
REPLICA_PORT=${REPLICA_PORT:-17202}
results="$here/benchmarks/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/replication-$stamp.md"
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

info_field() { # info_field <port> <field>
  redis-cli -p "$1" info replication | tr -d '\r' | sed -n "s/^$2://p"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

set_rps() { # set_rps <port> -> ops/s of SET at pipeline 16
  taskset -c "$CLIENT_CPU" redis-benchmark -p "$1" -n "$N" -c "$CLIENTS" -r "$KEYSPACE" -P 16 -d "$SIZE" \
      --csv -t set 2>/dev/null | grep '^"SET"' | tr -d '"' | cut -d, -f2
}

get_p99() { # get_p99 <port> -> p99 latency (ms) of 100k GETs, 10 clients, no pipelining
  taskset -c "$CLIENT_CPU" redis-benchmark -p "$1" -n 100000 -c 10 -r "$KEYSPACE" --csv -t get 2>/dev/null \
      | grep '^"GET"' | tr -d '"' | cut -d, -f7
}

# measure <name> <start-master-command...>: one master, one redis-server replica
measure() {
  local name=$1; shift
  # the previous master must have released the port, or the ping below would reach it
  for _ in $(seq 1 100); do redis-cli -p "$MASTER_PORT" ping >/dev/null 2>&1 || break; sleep 0.1; done
  "$@" &
  pids+=("$!")
  wait_port "$MASTER_PORT"
  # the server's own pid (the background job may be a wrapper): INFO server's process_id
  local mpid; mpid=$(redis-cli -p "$MASTER_PORT" info server | tr -d '\r' | sed -n 's/^process_id://p')
  pids+=("$mpid")
  set_rps "$MASTER_PORT" >/dev/null # warm-up (JIT)
  local alone; alone=$(set_rps "$MASTER_PORT")
  redis-cli -p "$MASTER_PORT" debug populate "$KEYS" pop 32 >/dev/null
  # its own dir: a replica keeps the received image as dump.rdb, which the next master would load
  mkdir -p "$tmp/replica-$name"
  redis-server --port "$REPLICA_PORT" --save "" --appendonly no --dir "$tmp/replica-$name" --daemonize no \
      --logfile "$tmp/replica-$name.log" &
  local rpid=$!; pids+=("$rpid")
  wait_port "$REPLICA_PORT"
  local rss0; rss0=$(rss_kb "$mpid")
  local peak=$rss0
  local idle_p99; idle_p99=$(get_p99 "$MASTER_PORT")
  # GETs while the image is taken and streamed (started with the sync; 100k GETs last about as long)
  get_p99 "$MASTER_PORT" > "$tmp/sync-get-$name" &
  local gpid=$!
  local t0; t0=$(date +%s%N)
  redis-cli -p "$REPLICA_PORT" replicaof 127.0.0.1 "$MASTER_PORT" >/dev/null
  while true; do
    local r; r=$(rss_kb "$mpid"); [ "$r" -gt "$peak" ] && peak=$r
    if [ "$(info_field "$REPLICA_PORT" master_link_status)" = up ] \
        && [ "$(info_field "$REPLICA_PORT" slave_repl_offset)" = "$(info_field "$MASTER_PORT" master_repl_offset)" ]; then
      break
    fi
    sleep 0.02
  done
  local t1; t1=$(date +%s%N)
  local sync_ms=$(( (t1 - t0) / 1000000 ))
  wait "$gpid" || true
  local sync_p99; sync_p99=$(cat "$tmp/sync-get-$name")
  local with; with=$(set_rps "$MASTER_PORT")
  local lag=$(( $(info_field "$MASTER_PORT" master_repl_offset) - $(info_field "$REPLICA_PORT" slave_repl_offset) ))
  local c0; c0=$(date +%s%N)
  until [ "$(info_field "$REPLICA_PORT" slave_repl_offset)" = "$(info_field "$MASTER_PORT" master_repl_offset)" ]; do sleep 0.001; done
  local catchup_ms=$(( ($(date +%s%N) - c0) / 1000000 ))
  kill "$rpid" "$mpid"; wait "$rpid" "$mpid" 2>/dev/null || true
  echo "$name $alone $with $sync_ms $rss0 $peak $lag $catchup_ms $idle_p99 $sync_p99"
}

redis_master() {
  exec taskset -c "$SERVER_CPU" redis-server --port "$MASTER_PORT" --save "" --appendonly no --dir "$tmp" \
      --repl-diskless-sync yes --repl-diskless-sync-delay 0 --enable-debug-command local --daemonize no --logfile "$tmp/master-redis.log"
}
basalt_master() {
  exec taskset -c "$SERVER_CPU" "$here/bin/basalt-server" --port "$MASTER_PORT" --save "" --basalt-http-port 0 --dir "$tmp" \
      --repl-diskless-sync yes --repl-diskless-sync-delay 0 --enable-debug-command yes >"$tmp/master-basalt.log" 2>&1
}

# not in a subshell: the servers measure() starts must be in this shell's pids for cleanup
measure redis redis_master > "$tmp/redis.out"
measure basalt basalt_master > "$tmp/basalt.out"
read -r _ r_alone r_with r_sync r_rss0 r_peak r_lag r_catch r_gi r_gs < "$tmp/redis.out"
read -r _ b_alone b_with b_sync b_rss0 b_peak b_lag b_catch b_gi b_gs < "$tmp/basalt.out"

{
  echo "# Replication: Basalt vs redis-server as master, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo
  echo "Host: $(nproc) cores, load before run: see below. Master pinned to core $SERVER_CPU, redis-benchmark to"
  echo "core $CLIENT_CPU, the replica (redis-server $(redis-server --version | cut -d' ' -f3 | cut -d= -f2)) unpinned."
  echo "SET: redis-benchmark -n $N -c $CLIENTS -r $KEYSPACE -P 16 -d $SIZE; full sync of DEBUG POPULATE $KEYS plus the SET keys, diskless."
  echo
  echo "| | Redis | Basalt | ratio |"
  echo "|---|---|---|---|"
  awk -v ra="$r_alone" -v ba="$b_alone" -v rw="$r_with" -v bw="$b_with" -v rs="$r_sync" -v bs="$b_sync" \
      -v r0="$r_rss0" -v rp="$r_peak" -v b0="$b_rss0" -v bp="$b_peak" -v rl="$r_lag" -v bl="$b_lag" \
      -v rc="$r_catch" -v bc="$b_catch" -v rgi="$r_gi" -v rgs="$r_gs" -v bgi="$b_gi" -v bgs="$b_gs" 'BEGIN {
    printf "| SET P16 ops/s, no replica | %.0f | %.0f | %.2f |\n", ra, ba, ba/ra
    printf "| SET P16 ops/s, one replica | %.0f | %.0f | %.2f |\n", rw, bw, bw/rw
    printf "| with replica / without | %.2f | %.2f | |\n", rw/ra, bw/ba
    printf "| full sync time, ms | %d | %d | %.2f |\n", rs, bs, bs/rs
    printf "| GET p99 idle, ms | %.3f | %.3f | |\n", rgi, bgi
    printf "| GET p99 during the full sync, ms | %.3f | %.3f | |\n", rgs, bgs
    printf "| during / idle | %.2f | %.2f | (target <= 2) |\n", rgs/rgi, bgs/bgi
    printf "| master RSS before sync, MiB | %.1f | %.1f | |\n", r0/1024, b0/1024
    printf "| master RSS growth during sync | %.1f%% | %.1f%% | |\n", (rp-r0)*100/r0, (bp-b0)*100/b0
    printf "| replica lag at the end of the SET run, bytes | %d | %d | |\n", rl, bl
    printf "| time to catch up after the run, ms | %d | %d | |\n", rc, bc
  }'
  echo
  echo "Load after run: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out"
cat "$out"
