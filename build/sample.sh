#!/usr/bin/env bash
# Runs the invoice sample on embedded defaults. On a fresh Debian machine as root it installs what it needs first.
#   bash build/sample.sh [--yes]
set -euo pipefail
cd "$(dirname "$0")/.."
# The sample keeps its data in a SQLite file: it needs no PostgreSQL, and no Node.js (only the MCP client tests do).
AUTODEV_SKIP_POSTGRES="${AUTODEV_SKIP_POSTGRES:-1}" AUTODEV_SKIP_NODE="${AUTODEV_SKIP_NODE:-1}" bash build/setup.sh
exec dotnet run --project samples/AutoDev.Samples.Invoice -c Release -- "$@"
