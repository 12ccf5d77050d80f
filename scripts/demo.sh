#!/usr/bin/env bash
# The main job on the bundled demo lab: set up, deploy, wire, show, clean up.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
started=$(scripts/dockerd.sh start)
cleanup() { [ "$started" = started ] && scripts/dockerd.sh stop || true; }
trap cleanup EXIT
node dist/demo/main.js "$@"
