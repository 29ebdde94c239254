// `git paw remove-cli NAME`: unregisters a custom CLI from the global config. A built-in CLI
// that is only auto-detected gets one clear sentence instead of upstream's garbled one.
import { isKnownCli } from '../clis/known.js';
import { deleteCliEntry } from '../config/edit.js';
import { globalConfigPath, loadConfigAt, repoConfigPath } from '../config/load.js';
import { CliNotFoundError, PawError } from '../util/errors.js';
import { systemRunner } from '../util/exec.js';
import { say, warn } from '../util/output.js';
import { which } from '../util/which.js';

export async function runRemoveCli(name: string): Promise<void> {
  const { config, warnings, repoRoot } = await loadConfigAt(systemRunner, process.cwd());
  warnings.forEach(warn);
  const isCustom = Object.hasOwn(config.clis, name);
  if (!isCustom && isKnownCli(name) && which(name) !== undefined) {
    throw new PawError(`'${name}' is an auto-detected CLI, not a custom one; nothing to remove`);
  }
  if (!(await deleteCliEntry(globalConfigPath(), name))) {
    const inRepo = repoRoot !== undefined && isCustom;
    throw new CliNotFoundError(name, inRepo ? { hint: `'${name}' is defined in ${repoConfigPath(repoRoot)}; remove it there` } : {});
  }
  say(`Removed custom CLI '${name}'.`);
}
