#!/usr/bin/env bash
# Resident memory needed for a data set, Basalt (bin/basalt-server, default JVM flags) against
# redis-server. DATASET selects it:
#   strings     (default) KEYS string keys key:0000000 .. with VALUE_SIZE-byte values (32)
#   hash        KEYS fields f:NNNNNNN (16-byte values) in one hash
#   zset        KEYS members m:NNNNNNN with distinct scores in one sorted set
#   smallhashes KEYS/10 hashes h:NNNNNNN of 10 fields each (short fields, 8-byte values)
#   json        KEYS (default 100000) string keys key:NNNNNNN holding 4 KiB JSON documents shaped
#               like API responses (repeated field names, varying ids, numbers and dates); Basalt
#               runs with --basalt-compression lz4 unless BASALT_ARGS says otherwise
#
# Each server is started fresh, its VmRSS read from /proc/<pid>/status, the keys loaded with
# `redis-cli --pipe` from a generated RESP file, and VmRSS read again after a short settle.
# Results: benchmarks/results/memory-<time>.md
#
# Usage: benchmarks/e2e/memory.sh                   (build first: mvn -q -DskipTests package)
# Env:   DATASET=strings KEYS=1000000 VALUE_SIZE=32 SETTLE=3 SERVER_CPU=1
#        VARIANTS="default|-XX:+UseParallelGC|..." : extra Basalt runs, each with these flags added
#        through BASALT_JAVA_OPTS (the first, "default", adds nothing)
#        BASALT_ARGS="--basalt-compression lz4 ..." : server directives added to every Basalt run
#        (default: none, or "--basalt-compression lz4" for DATASET=json; set it empty for none)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATASET=${DATASET:-strings}
VALUE_SIZE=${VALUE_SIZE:-32}
if [ "$DATASET" = json ]; then
  KEYS=${KEYS:-100000}
  BASALT_ARGS=${BASALT_ARGS-"--basalt-compression lz4"}
else
  KEYS=${KEYS:-1000000}
  BASALT_ARGS=${BASALT_ARGS-}
fi
SETTLE=${SETTLE:-3}
SERVER_CPU=${SERVER_CPU:-1}
PORT=${PORT:-17111}
VARIANTS=${VARIANTS:-default}
results="$here/benchmarks/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/memory-$DATASET-$stamp.md"
tmp=$(mktemp -d)
pid=""
stop() { # SIGTERM, then SIGKILL if the server has not exited after 10 s
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  if [ -n "$pid" ]; then stop "$pid"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

python3 - "$KEYS" "$DATASET" "$VALUE_SIZE" > "$tmp/load.resp" <<'PY'
import sys
n, dataset, vsize = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
out = sys.stdout.buffer
def cmd(*args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
chunk = []
def emit(c):
    chunk.append(c)
    if len(chunk) == 10000:
        out.write(b"".join(chunk)); chunk.clear()
if dataset == "strings":
    for i in range(n):
        emit(cmd(b"SET", b"key:%07d" % i, b"v" * vsize))
elif dataset == "hash":
    for i in range(0, n, 100):  # 100 fields per HSET
        args = [b"HSET", b"bighash"]
        for j in range(i, min(i + 100, n)):
            args += [b"f:%07d" % j, b"value:%09d" % j]
        emit(cmd(*args))
elif dataset == "zset":
    for i in range(0, n, 100):
        args = [b"ZADD", b"bigzset"]
        for j in range(i, min(i + 100, n)):
            args += [b"%d" % j, b"m:%07d" % j]
        emit(cmd(*args))
elif dataset == "smallhashes":
    for i in range(n // 10):
        args = [b"HSET", b"h:%07d" % i]
        for j in range(10):
            args += [b"field%d" % j, b"val%05d" % j]
        emit(cmd(*args))
elif dataset == "json":
    # an order-like API response: the same field names in every document and item, ids, prices,
    # quantities and dates that vary (seeded, so every run loads the same bytes)
    import random
    rnd = random.Random(42)
    statuses = [b"pending", b"paid", b"shipped", b"delivered", b"cancelled"]
    cities = [b"Berlin", b"Paris", b"Madrid", b"Rome", b"Vienna", b"Lisbon", b"Dublin", b"Prague"]
    words = [b"red", b"blue", b"large", b"small", b"cotton", b"steel", b"classic", b"eco", b"pro", b"mini"]
    for i in range(n):
        cid = rnd.randrange(1, 10**6)
        doc = [b'{"id":%d,"object":"order","status":"%s","created_at":"2024-%02d-%02dT%02d:%02d:%02dZ",' % (
                   10**8 + i, rnd.choice(statuses), rnd.randrange(1, 13), rnd.randrange(1, 29),
                   rnd.randrange(24), rnd.randrange(60), rnd.randrange(60)),
               b'"customer":{"id":%d,"name":"Customer %d","email":"customer%d@example.com","tier":"%s"},' % (
                   cid, cid, cid, rnd.choice([b"free", b"silver", b"gold"])),
               b'"shipping":{"method":"%s","address":{"street":"%d Main Street","city":"%s","zip":"%05d","country":"EU"}},' % (
                   rnd.choice([b"standard", b"express"]), rnd.randrange(1, 999), rnd.choice(cities), rnd.randrange(10**5)),
               b'"items":[']
        size = sum(len(p) for p in doc)
        k = 0
        while size < 4096:
            item = b'%s{"line":%d,"sku":"SKU-%06d","name":"%s %s item","quantity":%d,"unit_price":%d.%02d,"currency":"EUR","tax_rate":0.19,"discount":null}' % (
                b"," if k else b"", k + 1, rnd.randrange(10**6), rnd.choice(words), rnd.choice(words),
                rnd.randrange(1, 10), rnd.randrange(1, 500), rnd.randrange(100))
            doc.append(item)
            size += len(item)
            k += 1
        doc.append(b'],"total_items":%d}' % k)
        emit(cmd(b"SET", b"key:%07d" % i, b"".join(doc)[:4096]))
else:
    sys.exit("unknown DATASET " + dataset)
out.write(b"".join(chunk))
PY
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

wait_port() {
  for _ in $(seq 1 600); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on port $PORT did not start" >&2
  return 1
}

# measure <label> : the server is running as $pid on $PORT
measure() {
  sleep 1
  local before after dbsize t0 t1
  before=$(rss_kb "$pid")
  t0=$(date +%s.%N)
  redis-cli -p "$PORT" --pipe < "$tmp/load.resp" > "$tmp/pipe.out" 2>&1
  t1=$(date +%s.%N)
  sleep "$SETTLE"
  after=$(rss_kb "$pid")
  dbsize=$KEYS  # entries: keys, fields or members
  echo "- $1: \`$(tr '\0' ' ' < "/proc/$pid/cmdline" | sed 's/ -jar .*//')\`" >> "$tmp/cmdlines"
  # Basalt's own INFO fields (compressed values), when it reports any
  redis-cli -p "$PORT" info memory | tr -d '\r' | grep '^basalt_' | sed "s/^/  - $1: /" >> "$tmp/cmdlines" || true
  awk -v l="$1" -v b="$before" -v a="$after" -v k="$dbsize" -v s="$(echo "$t1 - $t0" | bc)" \
      'BEGIN{printf "| %s | %d | %.1f | %.1f | %.1f | %.0f | %.1f |\n", l, k, b/1024, a/1024, (a-b)/1024, (a-b)*1024/k, s}' \
      | tee -a "$out" >&2
  stop "$pid"; pid=""
}

{
  echo "# RSS growth for DATASET=$DATASET (value size $VALUE_SIZE for strings), $KEYS entries, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo
  echo "Host: $(nproc) cores, load before run: $(cut -d' ' -f1-3 /proc/loadavg). Servers pinned to core $SERVER_CPU;"
  echo "load with redis-cli --pipe, RSS (VmRSS) read ${SETTLE}s after the load."
  if [ -n "$BASALT_ARGS" ]; then echo "Basalt directives: \`$BASALT_ARGS\`."; fi
  echo
  echo "| server | entries | RSS before MiB | RSS after MiB | growth MiB | bytes/entry | load s |"
  echo "|---|---|---|---|---|---|---|"
} > "$out"

taskset -c "$SERVER_CPU" redis-server --port "$PORT" --save "" --appendonly no --daemonize no \
    --logfile "$tmp/redis.log" &
pid=$!
wait_port
measure "$(redis-server --version | cut -d' ' -f1-3)"

IFS='|' read -r -a variants <<< "$VARIANTS"
for v in "${variants[@]}"; do
  flags=""
  [ "$v" != "default" ] && flags="$v"
  # shellcheck disable=SC2086
  BASALT_JAVA_OPTS="$flags" taskset -c "$SERVER_CPU" "$here/bin/basalt-server" --port "$PORT" --basalt-http-port 0 \
      --save "" $BASALT_ARGS > "$tmp/basalt.log" 2>&1 &
  pid=$!
  wait_port
  measure "Basalt ($v)"
done
echo >> "$out"
echo "Command lines:" >> "$out"
cat "$tmp/cmdlines" >> "$out"
echo "results in $out" >&2
cat "$out"
