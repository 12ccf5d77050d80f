#!/usr/bin/env bash
# The test command: sets the machine up, starts a Docker engine if none runs,
# runs every suite (pure, kernel, Docker e2e) and prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
started=$(scripts/dockerd.sh start)
cleanup() { [ "$started" = started ] && scripts/dockerd.sh stop || true; }
trap cleanup EXIT
mkdir -p test-results
# vitest strips types without checking them: check the tests as strictly as src.
npx tsc -p tsconfig.test.json
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
rc=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit $rc
