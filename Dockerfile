# clab-xconnect as a container image.
#
# Stage one compiles the BPF programs, the native addon (with its embedded BPF
# skeleton) and the TypeScript, and keeps the production tree in /opt/clab-xconnect.
# The runtime stage holds node, libbpf, libmnl, libpcap and the tools watch's re-plumbing of a
# restarted node drives (ip, tc, nsenter), plus ethtool to inspect offloads. The entry point is the CLI's
# launcher, which runs node with the flags of the command (watch: V8's lite mode; src/util/node-flags.ts).
#
#   With registry access:  docker build -t clab-xconnect:latest .
#   Without (this repo's development machines): scripts/image.sh, which makes both
#   base images from the host (the build base already holding the tree built on the
#   host, so stage one has nothing left to compile) and builds this same file.
#
# How to run it (capabilities, mounts, namespaces): docs/ci.md, "The container image".

ARG BUILD_IMAGE=node:20-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
# Lets scripts/image.sh find (and remove) this stage's image after the build.
ARG BUILD_ID=none
LABEL clab-xconnect.build-stage=${BUILD_ID}
WORKDIR /src
COPY . .
RUN set -eu; \
    if [ -f /opt/clab-xconnect/dist/bin/clab-xconnect.cjs ]; then \
      echo "stage one: the base image holds a prebuilt tree; nothing to compile"; exit 0; \
    fi; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config clang llvm libbpf-dev libelf-dev zlib1g-dev libmnl-dev libpcap-dev bpftool; \
    npm ci --ignore-scripts --no-audit --no-fund; \
    npx cmake-js compile --out build; \
    npm run build:ts; \
    npm prune --omit=dev --no-audit --no-fund; \
    mkdir -p /opt/clab-xconnect/bin /opt/clab-xconnect/build/Release; \
    cp -r package.json dist node_modules /opt/clab-xconnect/; \
    cp build/Release/xconnect.node /opt/clab-xconnect/build/Release/; \
    cp "$(command -v node)" /opt/clab-xconnect/bin/node

FROM ${RUNTIME_IMAGE}
# Run-time libraries and tools, from Debian unless the base has them already.
RUN set -eu; \
    lib=/usr/lib/$(uname -m)-linux-gnu; \
    if [ -e "$lib/libbpf.so.1" ] && [ -e "$lib/libmnl.so.0" ] && [ -e "$lib/libpcap.so.0.8" ] && [ -e "$lib/libstdc++.so.6" ] \
       && command -v ip && command -v tc && command -v ethtool && command -v nsenter; then \
      echo "runtime: the base has libbpf, libmnl, libpcap, iproute2, ethtool and nsenter"; exit 0; \
    fi; \
    apt-get update; \
    apt-get install -y --no-install-recommends libbpf1 libmnl0 libpcap0.8 libelf1 zlib1g libstdc++6 iproute2 ethtool util-linux; \
    rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/clab-xconnect /opt/clab-xconnect
# A long-running watch stays small: two malloc arenas (the launcher adds node's flags).
ENV PATH=/opt/clab-xconnect/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    MALLOC_ARENA_MAX=2
LABEL org.opencontainers.image.title="clab-xconnect" \
      org.opencontainers.image.description="BPF cross-connects (tc and XDP) for containerlab labs"
ENTRYPOINT ["/opt/clab-xconnect/dist/bin/clab-xconnect"]
CMD ["--help"]
