#!/usr/bin/env bash
# Starts a Docker engine for AutoDev's tests and sample when none answers on the socket: dockerd in the background
# with its own pidfile, data root and daemon.json. Where gVisor's runsc is installed, the daemon.json registers it as
# the runtime "runsc" (network none, host Unix sockets allowed, for the fork server's direct socket); an engine this
# script started earlier without it is reloaded (SIGHUP). Needs root. Idempotent.
#   DOCKER_SOCKET (default /var/run/docker.sock)
set -euo pipefail
socket="${DOCKER_SOCKET:-/var/run/docker.sock}"
state="${AUTODEV_STATE_DIR:-/var/lib/autodev}"
config="$state/daemon.json"

answers() { docker -H "unix://$socket" version >/dev/null 2>&1; }
has_runsc() { docker -H "unix://$socket" info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; }

mkdir -p "$state"
if [ -x /usr/bin/runsc ]; then
  echo '{"runtimes": {"runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none", "--host-uds=open"]}}}' >"$config"
else
  echo '{}' >"$config"
fi

if answers; then
  # An engine this script started reads its daemon.json again on SIGHUP, which adds runtimes.
  if [ -x /usr/bin/runsc ] && ! has_runsc && [ -s "$state/dockerd.pid" ]; then
    kill -HUP "$(cat "$state/dockerd.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do has_runsc && break; sleep 0.1; done
  fi
  exit 0
fi

# AutoDev's containers use network none only: no bridge, no iptables rules on the host.
nohup dockerd --config-file "$config" --host "unix://$socket" --data-root "$state/docker" --exec-root "$state/docker-exec" \
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
