#!/usr/bin/env bash
# Installs everything clab-xconnect needs to build, run and test on Debian 12,
# then builds it (npm install compiles the BPF programs and the addon).
# Safe to re-run: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "setup: run as root (it installs Debian packages)" >&2; exit 1; }

# Build: compilers, BPF toolchain, libbpf, libmnl, libpcap (capture filters). Run/test: iproute2, ethtool,
# ping, tcpdump, the Docker engine. Bench: iperf3, perf.
PKGS=(cmake g++ make pkg-config clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool
      libmnl-dev libpcap-dev iproute2 ethtool iputils-ping tcpdump docker.io busybox-static iperf3 linux-perf)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# bpffs: the wires' state lives there.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# npm ci when the lock file changed since the last install (it also builds:
# the addon through the install script, the TypeScript through prepare);
# otherwise an incremental build, so re-runs take seconds.
stamp=node_modules/.clab-xconnect-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
else
  npm run --silent build >/dev/null
fi
