#!/usr/bin/env bash
# Runs every AutoDev test. On a fresh Debian machine as root it first installs and starts what the tests need
# (build/setup.sh). Under CI=true a test whose service is missing fails instead of skipping.
#
#   bash build/test.sh            # everything
#   bash build/test.sh --filter X # passes extra arguments to dotnet test
set -euo pipefail
cd "$(dirname "$0")/.."

bash build/setup.sh

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet build AutoDev.Core.sln -c Release -nologo -clp:ErrorsOnly
status=0
dotnet test AutoDev.Core.sln -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" "$@" || status=$?

# One plain closing line over every test project: "tests: N passed, N failed, N skipped".
python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("total", 0)) - int(counters.get("executed", 0))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
if passed + failed == 0:
    sys.exit("no test ran")
PY
if [ "$status" -ne 0 ]; then
  echo "Test results (TRX) kept in $results" >&2
fi
exit "$status"
