#!/usr/bin/env bash
# Runs the invoice sample on embedded defaults. On a fresh Debian machine as root it installs what it needs first.
#   bash build/sample.sh [--yes] [--serve [--port N]]   (--serve: then the dashboard over the sample's database)
set -euo pipefail
cd "$(dirname "$0")/.."
# The sample keeps its data in a SQLite file: it needs no PostgreSQL, no Node.js and no browser (only tests do).
AUTODEV_SKIP_POSTGRES="${AUTODEV_SKIP_POSTGRES:-1}" AUTODEV_SKIP_NODE="${AUTODEV_SKIP_NODE:-1}" AUTODEV_SKIP_BROWSER="${AUTODEV_SKIP_BROWSER:-1}" bash build/setup.sh
exec dotnet run --project samples/AutoDev.Samples.Invoice -c Release -- "$@"
