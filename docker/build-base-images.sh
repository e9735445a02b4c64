#!/usr/bin/env bash
# Builds the base image the top-level Dockerfile starts from, out of Debian packages only, so
# `docker build` works where Docker Hub cannot be reached:
#
#   basalt/debian-jre:bookworm   a minimal Debian 12 (debootstrap --variant=minbase) plus
#                                openjdk-17-jre-headless, curl (the HTTP health check),
#                                redis-tools (redis-cli) and tini (PID 1: reaps, forwards signals)
#
# made by debootstrap into a folder, then `docker import`. It is what the Dockerfile's BASE_IMAGE
# argument defaults to; the image is built from the jar made by Maven on the host (no JDK or
# Maven is needed inside Docker). Skipped when the image already exists, unless --force is given.
#
# Needs root (debootstrap), a Docker engine and a reachable Debian mirror
# (BASALT_DEBIAN_MIRROR, default http://deb.debian.org/debian). Packages downloaded are cached
# in BASALT_DEBOOTSTRAP_CACHE (default ~/.cache/basalt-debootstrap) so a second run is faster.
set -euo pipefail

suite=bookworm
mirror="${BASALT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${BASALT_DEBOOTSTRAP_CACHE:-${HOME:-/tmp}/.cache/basalt-debootstrap}"
force=0
[ "${1:-}" = "--force" ] && force=1

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

docker info >/dev/null 2>&1 || { echo "build-base-images.sh: no Docker engine reachable" >&2; exit 1; }
if [ $force -eq 0 ] && have_image basalt/debian-jre:$suite; then
  echo "base image present: basalt/debian-jre:$suite"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then echo "build-base-images.sh: debootstrap needs root" >&2; exit 1; fi
command -v debootstrap >/dev/null || { echo "build-base-images.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }

work=$(mktemp -d /tmp/basalt-rootfs.XXXXXX)
cleanup() {
  # the chroot's /proc may still be mounted if debootstrap failed half-way
  umount -l "$work/rootfs/proc" 2>/dev/null || true
  umount -l "$work/rootfs/sys" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$cache"
root="$work/rootfs"

# minbase: apt, dpkg and essential packages only. The JRE and tools are added in the same
# debootstrap run (--include), which resolves their dependencies from the same mirror.
jre_pkgs=openjdk-17-jre-headless,ca-certificates,curl,redis-tools,tini
echo "debootstrap $suite (minbase + $jre_pkgs) from $mirror"
start=$(date +%s)
debootstrap --variant=minbase --cache-dir="$cache" --include="$jre_pkgs" \
  "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2; exit 1; }
echo "debootstrap took $(( $(date +%s) - start ))s"

# Keep the image small and reproducible: no apt lists, caches, docs or man pages.
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
       "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/tmp/*
# the redis-tools package may ship a service; nothing runs in the image but Basalt
printf 'deb %s %s main\ndeb http://deb.debian.org/debian-security %s-security main\n' \
  "$mirror" "$suite" "$suite" > "$root/etc/apt/sources.list"

# resolved inside the chroot: /usr/bin/java -> /etc/alternatives/java is an absolute link
java_home=$(dirname "$(dirname "$(chroot "$root" readlink -f /usr/bin/java)")")
tar -C "$root" -c . | docker import \
  --change "ENV JAVA_HOME=$java_home" \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - basalt/debian-jre:$suite >/dev/null
echo "built basalt/debian-jre:$suite (JAVA_HOME=$java_home)"

