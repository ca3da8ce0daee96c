#!/usr/bin/env bash
# The whole test suite: installs what it needs (npm packages, Debian packages), then lint, type
# checks, unit/integration tests and the browser end-to-end tests. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
echo "== lint"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.neutral.json --noEmit
echo "== unit and integration tests"
mkdir -p test-artifacts
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/unit.json "$@"
echo "== end-to-end tests (mtl-studio serve in Debian's Chromium; Electron where its binary exists)"
npm run --silent build:renderer -- --logLevel warn
npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --outputFile.json=test-artifacts/e2e.json
node -e '
const r = ["unit", "e2e"].map((n) => require(`./test-artifacts/${n}.json`));
const sum = (k) => r.reduce((a, x) => a + x[k], 0);
console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
'
