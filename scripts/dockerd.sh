#!/usr/bin/env bash
# Starts (or stops) a Docker engine for the tests and the demo when none runs.
#   scripts/dockerd.sh start   -> prints "started" if it started one, "running" if one was up
#   scripts/dockerd.sh stop    -> stops only the engine this script started
set -euo pipefail
STATE=/run/clab-xconnect-dockerd
PIDFILE=$STATE/dockerd.pid
case "${1:-start}" in
start)
  if docker info >/dev/null 2>&1; then echo running; exit 0; fi
  mkdir -p "$STATE"
  # --ip-forward=false: otherwise dockerd sets the FORWARD policy to DROP and
  # Linux bridges made by tests or benchmarks silently stop forwarding.
  nohup dockerd --storage-driver=overlay2 --ip-forward=false --pidfile "$PIDFILE" \
    >"$STATE/dockerd.log" 2>&1 &
  for _ in $(seq 1 100); do
    docker info >/dev/null 2>&1 && { touch "$STATE/ours"; echo started; exit 0; }
    sleep 0.2
  done
  echo "dockerd did not come up; see $STATE/dockerd.log" >&2
  tail -20 "$STATE/dockerd.log" >&2 || true
  exit 1 ;;
stop)
  [ -f "$STATE/ours" ] || exit 0
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  rm -f "$STATE/ours" ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
