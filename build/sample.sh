#!/usr/bin/env bash
# Runs the invoice sample on embedded defaults. On a fresh Debian machine as root it installs what it needs first.
#   bash build/sample.sh [--yes]
set -euo pipefail
cd "$(dirname "$0")/.."
# The sample keeps its data in a SQLite file: it needs no PostgreSQL.
AUTODEV_SKIP_POSTGRES="${AUTODEV_SKIP_POSTGRES:-1}" bash build/setup.sh
exec dotnet run --project samples/AutoDev.Samples.Invoice -c Release -- "$@"
