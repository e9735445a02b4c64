#!/usr/bin/env bash
# The image's entry point: redis-server-style arguments start Basalt, as the official redis
# image's entry point does. No arguments, a first argument that is an option (--port 6380), a
# config file (*.conf, or "-" for stdin), or the words basalt-server / redis-server followed by
# those: bin/basalt-server with them. Anything else is run as a command (bash, redis-cli, basalt).
set -euo pipefail

case "${1:-}" in
  basalt-server|redis-server) shift; exec /opt/basalt/bin/basalt-server "$@" ;;
esac
if [ $# -eq 0 ] || [ "${1:0:1}" = "-" ] || [[ "$1" == *.conf ]] || [ -f "$1" ]; then
  exec /opt/basalt/bin/basalt-server "$@"
fi
exec "$@"
