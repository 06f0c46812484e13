#!/usr/bin/env bash
# The test command behind `npm test`: brings the local stack up, type-checks and lints,
# runs every test (unit and integration), and brings the stack down again, whatever happened.
# Run infra/bootstrap.sh first (npm test does).
set -euo pipefail
cd "$(dirname "$0")/.."
sw() { node bin/salonwatch.js "$@"; }

# The Python test tools bootstrap installed: without them those tests would be skipped.
STATE=${SALONWATCH_STATE_DIR:-$PWD/.state}
export SALONWATCH_CHDB_PYTHON=${SALONWATCH_CHDB_PYTHON:-$STATE/py-venv/bin/python}
export SALONWATCH_SCHEMATHESIS=${SALONWATCH_SCHEMATHESIS:-$STATE/py-venv/bin/st}

started_here=0
if ! sw stack status >/dev/null 2>&1; then started_here=1; fi
sw stack up
# Leave a stack that was already running as it was found (a developer's), stop one we started.
trap '[ $started_here = 1 ] && sw stack down' EXIT
sw stack status

echo "== typecheck"; npx tsc --noEmit
echo "== lint"; npx eslint --max-warnings 0 .

mapfile -t files < <(find test -name '*.test.ts' | sort)
echo "== tests (${#files[@]} files)"
mkdir -p artifacts
# One file at a time: integration tests kill and restart the shared engines (fault tests).
node --import tsx --test --test-concurrency=1 --test-timeout=900000 "${files[@]}"
