#!/usr/bin/env bash
# Installs and starts what AutoDev's tests and sample need on a Debian machine, when missing: python3, bubblewrap,
# libseccomp (the bubblewrap tier's filter), the Docker engine with gVisor's runsc (started by build/start-docker.sh),
# the sandbox image (build/docker-image.sh) and PostgreSQL
# (started on loopback by build/start-postgres.sh), and Node.js with the MCP TypeScript SDK for the MCP client tests
# (npm ci in tests/AutoDev.Mcp.Tests/node), and Debian's Chromium for the dashboard's browser tests (driven by
# Microsoft.Playwright, whose own browser download is not used). Idempotent, and quick when everything is already there.
#   AUTODEV_SKIP_DOCKER=1 leaves the Docker engine out (the Docker tests then skip, or fail under CI=true).
#   AUTODEV_SKIP_POSTGRES=1 leaves PostgreSQL out (the PostgreSQL tests then skip, or fail under CI=true).
#   AUTODEV_SKIP_NODE=1 leaves Node.js out (the TypeScript client tests then skip, or fail under CI=true).
#   AUTODEV_SKIP_BROWSER=1 leaves Chromium out (the dashboard's browser tests then skip, or fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }

need=()
[ -x /usr/bin/python3 ] || need+=(python3)
[ -x /usr/bin/bwrap ] || need+=(bubblewrap)
[ -x /usr/bin/setpriv ] || need+=(util-linux)
ls /usr/lib/*/libseccomp.so.2 >/dev/null 2>&1 || need+=(libseccomp2)
if [ "${AUTODEV_SKIP_DOCKER:-0}" != 1 ]; then
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
  [ -x /usr/bin/runsc ] || need+=(runsc)
fi

if [ "${AUTODEV_SKIP_POSTGRES:-0}" != 1 ]; then
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
fi

if [ "${AUTODEV_SKIP_NODE:-0}" != 1 ]; then
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm >/dev/null 2>&1 || need+=(npm)
fi

if [ "${AUTODEV_SKIP_BROWSER:-0}" != 1 ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages: ${need[*]}. Run as root, or: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "Installing ${need[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ "${AUTODEV_SKIP_DOCKER:-0}" != 1 ] && [ "$(id -u)" -eq 0 ]; then
  bash build/start-docker.sh
  bash build/docker-image.sh
fi

if [ "${AUTODEV_SKIP_POSTGRES:-0}" != 1 ] && [ "$(id -u)" -eq 0 ]; then
  bash build/start-postgres.sh
fi

# The MCP TypeScript SDK, at the version package-lock.json pins, when missing or older than the lock file.
node_client=tests/AutoDev.Mcp.Tests/node
if [ "${AUTODEV_SKIP_NODE:-0}" != 1 ] && { [ ! -f "$node_client/node_modules/.package-lock.json" ] || [ "$node_client/package-lock.json" -nt "$node_client/node_modules/.package-lock.json" ]; }; then
  echo "Installing the MCP TypeScript SDK for the MCP client tests ..."
  (cd "$node_client" && npm ci --no-progress --loglevel=error >/dev/null)
fi
