#!/usr/bin/env bash
# Runs the shell scripts of the Helm chart (deploy/helm/basalt/templates) for real, in the
# container image, on the host network (no Kubernetes here; docs/operations.md says what is and
# is not verified about the chart):
#   - the StatefulSet's start script in replicated mode: a "pod 0" becomes the master and a
#     "pod 1" replicates it through the headless-service name (stood in for by --add-host);
#   - the cluster Job's script: it waits for 3 cluster-enabled nodes, forms the cluster with
#     redis-cli --cluster create, waits for cluster_state:ok, and does nothing when run again.
# Pods are told apart by loopback addresses (127.0.0.x) sharing one free port. Needs a Docker
# engine and the image (docker/test-image.sh builds it; BASALT_IMAGE, default basalt:test).
set -euo pipefail
cd "$(dirname "$0")/../.."

image="${BASALT_IMAGE:-basalt:test}"
tag="basalt-chart-test-$$"
templates=deploy/helm/basalt/templates
work=$(mktemp -d /tmp/basalt-chart-test.XXXXXX)
chmod 755 "$work"
containers=()
fail() { echo "test-scripts.sh: FAIL: $*" >&2; for c in "${containers[@]}"; do echo "--- $c" >&2; docker logs "$c" 2>&1 | tail -15 >&2 || true; done; exit 1; }
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
docker image inspect "$image" >/dev/null 2>&1 || fail "no image $image (run docker/test-image.sh first)"

script_of() { # the "args: [bash, -c, |...]" block of a template, dedented
  awk '
    prev ~ /^[[:space:]]*- -c[[:space:]]*$/ && $0 ~ /^[[:space:]]*- \|[[:space:]]*$/ { match($0, /-/); indent = RSTART + 1; inblock = 1; prev = $0; next }
    inblock { if ($0 !~ /^[[:space:]]*$/ && match($0, /^[[:space:]]*/) && RLENGTH < indent) { inblock = 0 } else { print substr($0, indent + 1); } }
    { prev = $0 }' "$1"
}
free_port() {
  local p
  while true; do
    p=$((20000 + RANDOM % 25000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null && continue
    echo "$p"; return
  done
}
wait_pong() { # wait_pong HOST PORT
  for _ in $(seq 1 120); do
    [ "$(redis-cli -h "$1" -p "$2" PING 2>/dev/null)" = PONG ] && return 0
    sleep 0.5
  done
  fail "no PONG from $1:$2"
}
field() { redis-cli -h "$1" -p "$2" INFO "$3" | tr -d '\r' | sed -n "s/^$4://p"; }

sts_script=$(script_of "$templates/statefulset.yaml")
job_script=$(script_of "$templates/job-cluster-create.yaml")
[ -n "$sts_script" ] && [ -n "$job_script" ] || fail "scripts not found in the templates"

# --- replicated mode: the StatefulSet script, pods 0 and 1 ---------------------------------
port=$(free_port)
printf 'port %s\nbasalt-http-port 0\ndir /data\nsave ""\n' "$port" > "$work/redis.conf"
chmod 644 "$work/redis.conf"
for i in 0 1; do
  c="$tag-r$i"; containers+=("$c")
  docker run -d --name "$c" --network host -v "$work/redis.conf:/etc/basalt/redis.conf:ro" \
    --add-host "basalt-0.basalt-headless.ns.svc:127.0.0.20" \
    -e HOSTNAME="basalt-$i" -e BASALT_MODE=replicated -e HEADLESS_SERVICE=basalt-headless.ns.svc \
    -e REDIS_PORT="$port" -e BASALT_BIND="127.0.0.2$i" -e BASALT_REPLICA_ANNOUNCE_IP="127.0.0.2$i" \
    "$image" bash -c "$sts_script" >/dev/null
done
wait_pong 127.0.0.20 "$port"; wait_pong 127.0.0.21 "$port"
redis-cli -h 127.0.0.20 -p "$port" SET chart replicated >/dev/null
for _ in $(seq 1 60); do
  [ "$(field 127.0.0.21 "$port" replication master_link_status)" = up ] \
    && [ "$(redis-cli -h 127.0.0.21 -p "$port" GET chart)" = replicated ] && break
  sleep 0.5
done
[ "$(field 127.0.0.20 "$port" replication role)" = master ] || fail "pod 0 is not a master"
[ "$(field 127.0.0.21 "$port" replication role)" = slave ] || fail "pod 1 is not a replica"
[ "$(redis-cli -h 127.0.0.21 -p "$port" GET chart)" = replicated ] || fail "pod 1 did not replicate pod 0"
field 127.0.0.20 "$port" replication slave0 | grep -q "ip=127.0.0.21" || fail "the replica does not announce its address"
echo "ok: replicated mode: pod 1 replicates pod 0 by its headless-service name"
for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null; done
containers=()

# --- cluster mode: three nodes, then the Job's script, twice ------------------------------
port=$(free_port)
hosts=()
for i in 0 1 2; do
  c="$tag-c$i"; containers+=("$c")
  docker run -d --name "$c" --network host "$image" --port "$port" --bind "127.0.0.3$i" \
    --cluster-enabled yes --cluster-announce-ip "127.0.0.3$i" --basalt-http-port 0 --save "" >/dev/null
  hosts+=(--add-host "basalt-$i.basalt-headless.ns.svc:127.0.0.3$i")
done
containers+=("$tag-job") # removed by the cleanup if a run times out
job() { # job TIMEOUT: the Job's script in a container, as the Job's pod runs it
  timeout "$1" docker run --rm --name "$tag-job" --network host "${hosts[@]}" -e PODS=3 -e STATEFULSET=basalt \
    -e HEADLESS_SERVICE=basalt-headless.ns.svc -e REDIS_PORT="$port" -e REPLICAS_PER_MASTER=0 \
    "$image" bash -c "$job_script" 2>&1
}
out=$(job 180) || fail "the cluster Job failed: $out"
grep -q "cluster formed" <<<"$out" || fail "no 'cluster formed' in: $out"
for i in 0 1 2; do
  state=$(redis-cli -h "127.0.0.3$i" -p "$port" CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_state://p')
  [ "$state" = ok ] || fail "node $i: cluster_state $state"
done
[ "$(redis-cli -c -h 127.0.0.30 -p "$port" SET chart cluster)" = OK ] || fail "SET through the cluster"
[ "$(redis-cli -c -h 127.0.0.32 -p "$port" GET chart)" = cluster ] || fail "GET through the cluster"
echo "ok: cluster mode: the Job formed a 3-node cluster (cluster_state:ok on every node)"
out=$(job 120) || fail "the second Job run failed: $out"
grep -q "the cluster exists" <<<"$out" || fail "the second run did not see the cluster: $out"
echo "ok: cluster mode: running the Job again leaves the cluster alone"
echo "test-scripts.sh: all checks passed"
