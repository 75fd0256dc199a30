#!/usr/bin/env bash
# Runs every AutoDev test. On a fresh Debian machine as root it first installs and starts what the tests need
# (build/setup.sh: python3, bubblewrap, a Docker engine and the sandbox image). Under CI=true a test whose service is
# missing fails instead of skipping. Before the tests it checks that the EF model has no change its migrations miss;
# after them, that every package under src/ packs with its README.
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

# The model has no change that the migrations miss, for each database's migrations (dotnet ef, from the tool manifest).
dotnet tool restore >/dev/null
for project in src/AutoDev.EntityFrameworkCore src/AutoDev.EntityFrameworkCore.PostgreSql; do
  if ! dotnet ef migrations has-pending-model-changes --project "$project" --configuration Release --no-build; then
    echo "$project: the model has changes without a migration (dotnet ef migrations add <Name> --project $project --output-dir Migrations)" >&2
    status=1
  fi
done

dotnet test AutoDev.Core.sln -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" "$@" || status=1
if [ "$status" -ne 0 ]; then
  echo "Test results (TRX) kept in $results" >&2
fi

# Every package under src/ packs, with its README and XML docs (a dotnet tool: its assemblies), and names the README in its metadata.
rm -rf artifacts/packages
dotnet pack AutoDev.Core.sln -c Release --no-build -nologo -o artifacts/packages -v quiet
python3 - <<'PY' || status=1
import glob, os, sys, zipfile
projects = sorted(os.path.basename(p) for p in glob.glob("src/*") if os.path.isdir(p))
problems = []
for project in projects:
    found = glob.glob(f"artifacts/packages/{project}.[0-9]*.nupkg")
    if not found:
        problems.append(f"{project}: no package")
        continue
    with zipfile.ZipFile(found[0]) as package:
        names = package.namelist()
        nuspec = package.read(next(n for n in names if n.endswith(".nuspec"))).decode()
        if "README.md" not in names or "<readme>README.md</readme>" not in nuspec:
            problems.append(f"{project}: README missing")
        if 'packageType name="DotnetTool"' in nuspec:
            if not any(n.startswith("tools/net10.0/any/") and n.endswith(".dll") for n in names):
                problems.append(f"{project}: the tool's assemblies missing")
        elif f"lib/net10.0/{project}.dll" not in names or f"lib/net10.0/{project}.xml" not in names:
            problems.append(f"{project}: assembly or XML docs missing")
print("packages: " + ("; ".join(problems) if problems else f"{len(projects)} valid ({', '.join(projects)})"))
sys.exit(1 if problems else 0)
PY

# The closing lines, over every test project: every skipped test with its reason, then
# "tests: N passed, N failed, N skipped".
python3 - "$results" <<'PY' || status=1
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
skips = []
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    counters = root.find(".//{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("total", 0)) - int(counters.get("executed", 0))
    for result in root.findall(".//{*}UnitTestResult"):
        if result.get("outcome") == "NotExecuted":
            reason = result.find(".//{*}ErrorInfo/{*}Message")
            skips.append((result.get("testName"), reason.text.strip() if reason is not None and reason.text else "no reason given"))
for name, reason in sorted(skips):
    print(f"skipped: {name}: {reason}")
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if passed + failed == 0 else 0)
PY
exit "$status"
