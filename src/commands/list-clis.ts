// `git paw list-clis`: the detected and custom CLIs, inside or outside a repository.
import { detectClis } from '../clis/detect.js';
import { formatCliTable } from '../clis/table.js';
import { loadConfigAt } from '../config/load.js';
import { systemRunner } from '../util/exec.js';
import { say, warn } from '../util/output.js';

export async function runListClis(): Promise<void> {
  const { config, warnings } = await loadConfigAt(systemRunner, process.cwd());
  warnings.forEach(warn);
  const detected = detectClis(config);
  detected.warnings.forEach(warn);
  formatCliTable(detected.clis).forEach((line) => say(line));
}
