#!/usr/bin/env bash
# Builds the container image (Dockerfile) on a machine with no image registry:
# both base images are made from this host with `docker import`, then the
# Dockerfile is built with them as its BUILD_IMAGE and RUNTIME_IMAGE.
#   build base:   busybox + the host's node + the tree built here (dist/, the addon,
#                 production node_modules) in /opt/clab-xconnect: stage one finds it
#                 prebuilt and compiles nothing
#   runtime base: busybox + the host's ip, tc, ethtool, nsenter and the shared
#                 libraries they, node and the addon load (libbpf, libmnl, libelf, ...)
#
#   scripts/image.sh [--build] [--tag NAME]   default tag: clab-xconnect:latest
#     --build   run `npm run build` first (otherwise the tree must be built already)
# With registry access, `docker build -t clab-xconnect:latest .` does the same from
# the public node and debian images. The bases are removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

TAG=clab-xconnect:latest
BUILD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=1 ;;
    --tag) TAG="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

need() { command -v "$1" >/dev/null || { echo "image.sh: $1 not found ($2)" >&2; exit 1; }; }
need docker "install docker.io"
need busybox "install busybox-static"
need node "install Node.js 20"
need npm "install npm"
for t in ip tc ethtool nsenter; do need "$t" "install iproute2, ethtool and util-linux"; done
docker info >/dev/null 2>&1 || { echo "image.sh: the Docker engine is not reachable (scripts/dockerd.sh start)" >&2; exit 1; }

[ "$BUILD" = 1 ] && npm run --silent build
for f in dist/bin/clab-xconnect.cjs build/Release/xconnect.node package.json; do
  [ -e "$f" ] || { echo "image.sh: $f is missing: build first (npm run build, or pass --build)" >&2; exit 1; }
done

ID=$(date +%s)-$$
WORK=$(mktemp -d /tmp/clab-xconnect-image.XXXXXX)
BUILD_BASE=clab-xconnect/base-build:$ID
RUNTIME_BASE=clab-xconnect/base-runtime:$ID
cleanup() {
  rm -rf "$WORK"
  docker image rm "$BUILD_BASE" "$RUNTIME_BASE" >/dev/null 2>&1 || true
  # Stage one's image (untagged) carries the build id as a label.
  ids=$(docker image ls -q --filter "label=clab-xconnect.build-stage=$ID")
  [ -z "$ids" ] || docker image rm $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT

# busybox with its applets, /etc basics, /tmp, merged /usr.
skeleton() {
  local root=$1
  # merged /usr, as Debian: /lib and /lib64 are links into /usr
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib,usr/lib64,etc,tmp,root,run,proc,sys,dev}
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for a in $(busybox --list); do
    [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
}

# A binary or shared object and every library it loads, at the paths the loader asks for.
with_libs() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    for lib in $(ldd "$f" | sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^\s*\(\/[^ ]*\) (0x.*/\1/p'); do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}

import_rootfs() {
  tar -C "$1" -c . | docker import -m "clab-xconnect image base, made from $(hostname) by scripts/image.sh" - "$2" >/dev/null
}

# --- build base: node and the built tree ------------------------------------
B=$WORK/build
skeleton "$B"
APP=$B/opt/clab-xconnect
mkdir -p "$APP/bin" "$APP/build/Release" "$APP/node_modules"
cp "$(command -v node)" "$APP/bin/node"
cp package.json "$APP/"
cp -r dist "$APP/"
cp build/Release/xconnect.node "$APP/build/Release/"
# Production dependencies only, as `npm prune --omit=dev` would leave them.
# (npm ls exits 1 on any extraneous or invalid package; the list is what counts.)
{ npm ls --omit=dev --all --parseable 2>/dev/null || true; } | sed -n "s#^$(pwd -P)/node_modules/##p" | sort -u | while read -r pkg; do
  mkdir -p "$APP/node_modules/$(dirname "$pkg")"
  [ -e "$APP/node_modules/$pkg" ] || cp -r "node_modules/$pkg" "$APP/node_modules/$pkg"
done
with_libs "$B" "$APP/bin/node"
import_rootfs "$B" "$BUILD_BASE"

# --- runtime base: tools and libraries ---------------------------------------
R=$WORK/runtime
skeleton "$R"
for t in ip tc ethtool nsenter; do
  src=$(command -v "$t")
  rm -f "$R/bin/$t" # busybox's applet of that name, if any
  mkdir -p "$R$(dirname "$src")"
  cp -L "$src" "$R$src"
  with_libs "$R" "$src"
done
with_libs "$R" "$(command -v node)" build/Release/xconnect.node
# libpcap is opened by the addon when a capture filter needs it (not linked).
pcap=$(ldconfig -p | awk '/libpcap\.so\.0\.8 /{print $NF; exit}')
[ -n "$pcap" ] || { echo "image.sh: libpcap.so.0.8 not found (install libpcap0.8)" >&2; exit 1; }
mkdir -p "$R$(dirname "$pcap")"
cp -L "$pcap" "$R$pcap"
with_libs "$R" "$pcap"
import_rootfs "$R" "$RUNTIME_BASE"

docker build -q --force-rm \
  --build-arg BUILD_IMAGE="$BUILD_BASE" \
  --build-arg RUNTIME_IMAGE="$RUNTIME_BASE" \
  --build-arg BUILD_ID="$ID" \
  -t "$TAG" . >/dev/null
echo "image.sh: built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
