#!/usr/bin/env bash
# The whole test suite (`npm test`): the Debian packages it drives, the build and the .vsix, the linter, the vitest
# suites, then the extension in a real VS Code (test/e2e/run.sh). Ends with one line counting every test.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-prerequisites.sh || exit 1
npm run -s package || { echo "tests: 0 passed, 1 failed"; exit 1; }

# The linter, zero warnings (eslint.config.js); it counts as one test.
npm run -s lint
lint_status=$?

mkdir -p out
npx vitest run --reporter=default --reporter=json --outputFile.json=out/vitest.json
vitest_status=$?

E2E_SKIP_PACKAGE=1 bash test/e2e/run.sh | tee out/e2e.log
e2e_status=${PIPESTATUS[0]}

LINT_STATUS=$lint_status node --input-type=module -e '
import { readFileSync } from "node:fs";
let passed = 0, failed = 0;
if (process.env.LINT_STATUS === "0") { passed += 1; } else { failed += 1; }
try {
    const report = JSON.parse(readFileSync("out/vitest.json", "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A file that failed without a failing test (it did not load) counts once.
    failed += report.testResults.filter((file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")).length;
} catch { failed += 1; }
const e2e = /^e2e: (\d+) passed, (\d+) failed$/m.exec(readFileSync("out/e2e.log", "utf8").trim().split("\n").reverse().join("\n"));
if (e2e) { passed += Number(e2e[1]); failed += Number(e2e[2]); } else { failed += 1; }
console.log(`\ntests: ${passed} passed, ${failed} failed`);
'
[ "$lint_status" -eq 0 ] && [ "$vitest_status" -eq 0 ] && [ "$e2e_status" -eq 0 ]
