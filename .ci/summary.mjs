// Prints `N passed, N failed, N skipped` summed over vitest JSON reports (one per suite); a
// missing report counts as one failure. Exits 1 when anything failed or no test ran at all.
import { existsSync, readFileSync } from 'node:fs';

const paths = process.argv.length > 2 ? process.argv.slice(2) : ['test-results/report.json'];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const path of paths) {
  if (!existsSync(path)) {
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(path, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
