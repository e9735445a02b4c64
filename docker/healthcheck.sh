#!/usr/bin/env bash
# The image's HEALTHCHECK: /health/ready on the operations port (ready = not loading, a replica's
# initial sync done, cluster state ok), or redis-cli PING when that listener is off. The ports are
# the ones bin/basalt-server resolved from the configuration layers (file, YAML, BASALT_*,
# command line) and wrote to $BASALT_PORTS_FILE, so --port / --basalt-http-port are followed.
set -u
port=6379 http=9121
if [ -r "${BASALT_PORTS_FILE:-/tmp/basalt.ports}" ]; then
  # shellcheck disable=SC1090
  . "${BASALT_PORTS_FILE:-/tmp/basalt.ports}"
fi
if [ "${http:-0}" != "0" ]; then
  exec curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$http/health/ready"
fi
[ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" = "PONG" ] || [ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>&1)" = "NOAUTH Authentication required." ]
