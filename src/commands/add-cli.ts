// `git paw add-cli NAME COMMAND [--display-name D]`: registers a custom CLI in the global config
// (works anywhere; only the `[clis.NAME]` table of the file changes).
import { commandToStore, validateCliName } from '../clis/register.js';
import { prepareCliEntry } from '../config/edit.js';
import { globalConfigPath } from '../config/load.js';
import { say, warn } from '../util/output.js';

export async function runAddCli(name: string, command: string, flags: { displayName?: string }): Promise<void> {
  validateCliName(name);
  const stored = commandToStore(command);
  const edit = await prepareCliEntry(globalConfigPath(), name, {
    command: stored.command,
    ...(flags.displayName === undefined ? {} : { display_name: flags.displayName }),
  });
  edit.warnings.forEach(warn);
  stored.warnings.forEach(warn);
  edit.save();
  say(`Added custom CLI '${name}'.`);
}
