#!/usr/bin/env bash
# End-to-end test of the container image: builds the base image (docker/build-base-images.sh, if
# missing) and the Basalt image from the packaged jar, then runs it on the host network (loopback
# only; free ports) and talks to it with redis-cli and curl:
#   - redis-server-style arguments: a mounted redis.conf, then --directive value options;
#     BASALT_* variables and a mounted YAML file, with the precedence rule;
#   - runs as the non-root user, /data is the working directory and a volume;
#   - /metrics and /health/ready answer, and Docker's HEALTHCHECK reports healthy;
#   - docker stop (SIGTERM) saves, and a new container on the same volume loads the data;
#   - a bad value refuses to start with redis-server's FATAL CONFIG FILE ERROR text.
# Needs a Docker engine, root for debootstrap (first run only) and the jar: mvn -DskipTests package.
# BASALT_IMAGE names the image to build (default basalt:test); BASE_IMAGE overrides its base.
set -euo pipefail
cd "$(dirname "$0")/.."

image="${BASALT_IMAGE:-basalt:test}"
name="basalt-image-test-$$"
volume="basalt-image-test-$$"
work=$(mktemp -d /tmp/basalt-image-test.XXXXXX)
chmod 755 "$work"
fail() { echo "test-image.sh: FAIL: $*" >&2; for c in "$name" "$name-2"; do docker logs "$c" 2>&1 | tail -20 >&2 || true; done; exit 1; }
cleanup() {
  docker rm -f "$name" "$name-2" "$name-bad" >/dev/null 2>&1 || true
  docker volume rm -f "$volume" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

ls server/target/basalt-server-*-all.jar >/dev/null 2>&1 || fail "no packaged jar: run mvn -DskipTests package first"
docker info >/dev/null 2>&1 || fail "no Docker engine reachable"

free_port() { # a port nothing listens on (and its +10000 bus port neither), from a high range
  local p
  while true; do
    p=$((20000 + RANDOM % 25000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null && continue
    echo "$p"; return
  done
}
wait_pong() { # wait_pong PORT CONTAINER
  for _ in $(seq 1 120); do
    [ "$(redis-cli -p "$1" PING 2>/dev/null)" = "PONG" ] && return 0
    [ "$(docker inspect --format '{{.State.Running}}' "$2" 2>/dev/null)" = "true" ] || fail "$2 exited"
    sleep 0.5
  done
  fail "$2 did not answer PING on port $1"
}
expect() { # expect WHAT ACTUAL EXPECTED
  [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
  echo "ok: $1 = $3"
}
cfg() { redis-cli -p "$port" CONFIG GET "$1" | sed -n 2p; }

start=$(date +%s)
docker/build-base-images.sh
docker build -q ${BASE_IMAGE:+--build-arg BASE_IMAGE="$BASE_IMAGE"} -t "$image" . >/dev/null
echo "images ready in $(( $(date +%s) - start ))s"

port=$(free_port); http=$(free_port)
# redis.conf < YAML < BASALT_* < command line, each layer setting what the next one overrides
cat > "$work/redis.conf" <<CONF
maxmemory 10mb
hz 11
timeout 100
maxmemory-policy volatile-lru
CONF
cat > "$work/basalt.yaml" <<YAML
maxmemory: 20mb
hz: 12
timeout: 200
save: ["60 1000"]
YAML
chmod 644 "$work"/*
docker volume create "$volume" >/dev/null
docker run -d --name "$name" --network host -v "$volume:/data" -v "$work:/etc/basalt:ro" \
  -e BASALT_CONFIG_YAML=/etc/basalt/basalt.yaml -e BASALT_MAXMEMORY=30mb -e BASALT_TIMEOUT=300 \
  "$image" /etc/basalt/redis.conf --port "$port" --basalt-http-port "$http" --timeout 400 >/dev/null
wait_pong "$port" "$name"
expect "maxmemory-policy (redis.conf)" "$(cfg maxmemory-policy)" volatile-lru
expect "hz (YAML over redis.conf)" "$(cfg hz)" 12
expect "maxmemory (env over YAML)" "$(cfg maxmemory)" $((30 * 1024 * 1024))
expect "timeout (command line over env)" "$(cfg timeout)" 400
expect "save (YAML)" "$(cfg save)" "60 1000"
expect "protected-mode (the image's BASALT_PROTECTED_MODE)" "$(cfg protected-mode)" no
expect "dir (the /data volume)" "$(cfg dir)" /data
expect "user" "$(docker exec "$name" id -u)" 999
expect "SET" "$(redis-cli -p "$port" SET greeting hello)" OK
expect "GET" "$(redis-cli -p "$port" GET greeting)" hello
expect "/health/ready" "$(curl -fsS "http://127.0.0.1:$http/health/ready" | grep -o '"status":"ready"')" '"status":"ready"'
curl -fsS "http://127.0.0.1:$http/metrics" | grep -qx 'redis_up 1.0' || fail "/metrics has no redis_up 1.0"
echo "ok: /metrics redis_up 1.0"
for _ in $(seq 1 60); do
  health=$(docker inspect --format '{{.State.Health.Status}}' "$name")
  [ "$health" = "healthy" ] && break
  [ "$health" = "unhealthy" ] && fail "HEALTHCHECK reports unhealthy"
  sleep 1
done
expect "HEALTHCHECK" "$health" healthy

# docker stop sends SIGTERM: Basalt saves (a save point is set) and exits 0
docker stop -t 30 "$name" >/dev/null
expect "exit status after docker stop" "$(docker inspect --format '{{.State.ExitCode}}' "$name")" 0
docker logs "$name" 2>&1 | grep -q "DB saved on disk" || fail "no final save on SIGTERM"
echo "ok: final save on SIGTERM"

# a new container on the same volume, options only (no config file), loads the snapshot
port=$(free_port)
docker run -d --name "$name-2" --network host -v "$volume:/data" "$image" \
  --port "$port" --basalt-http-port 0 >/dev/null
wait_pong "$port" "$name-2"
expect "GET after restart on the volume" "$(redis-cli -p "$port" GET greeting)" hello
expect "redis-cli in the image" "$(docker exec "$name-2" redis-cli -p "$port" PING)" PONG
docker exec "$name-2" /opt/basalt/docker/healthcheck.sh || fail "health check (redis-cli PING) failed with the HTTP port off"
echo "ok: health check by PING when basalt-http-port is 0"
docker stop -t 30 "$name-2" >/dev/null

# a bad value: the container exits 1 with redis-server's error shape
set +e
out=$(docker run --name "$name-bad" --network host -e BASALT_MAXMEMORY=lots "$image" --port "$(free_port)" 2>&1)
rc=$?
set -e
expect "exit status on a bad BASALT_MAXMEMORY" "$rc" 1
grep -q "FATAL CONFIG FILE ERROR" <<<"$out" && grep -q "maxmemory: argument must be a memory value" <<<"$out" \
  || fail "no config error in: $out"
echo "ok: bad value refused"

# a first argument that is not an option runs as a command
expect "command passthrough" "$(docker run --rm --network host "$image" redis-cli --version | cut -d' ' -f1)" redis-cli
echo "test-image.sh: all checks passed in $(( $(date +%s) - start ))s"
