#!/usr/bin/env bash
# Starts a Docker engine for AutoDev's tests and sample when none answers on the socket: dockerd in the background
# with its own pidfile and data root. Needs root. Idempotent.
#   DOCKER_SOCKET (default /var/run/docker.sock)
set -euo pipefail
socket="${DOCKER_SOCKET:-/var/run/docker.sock}"
state="${AUTODEV_STATE_DIR:-/var/lib/autodev}"

answers() { docker -H "unix://$socket" version >/dev/null 2>&1; }
if answers; then
  exit 0
fi

mkdir -p "$state"
# AutoDev's containers use network none only: no bridge, no iptables rules on the host.
nohup dockerd --host "unix://$socket" --data-root "$state/docker" --exec-root "$state/docker-exec" \
  --pidfile "$state/dockerd.pid" --bridge none --iptables=false --ip6tables=false \
  >"$state/dockerd.log" 2>&1 &

for _ in $(seq 1 100); do
  if answers; then
    exit 0
  fi
  sleep 0.2
done
echo "dockerd did not answer on $socket within 20 s; see $state/dockerd.log:" >&2
tail -20 "$state/dockerd.log" >&2
exit 1
