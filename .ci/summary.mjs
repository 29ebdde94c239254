// Prints `N passed, N failed, N skipped` from vitest's JSON report; exits 1 when the report is
// missing, counts a failure, or ran no test at all.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'test-results/report.json';
if (!existsSync(path)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
