// Marks the built entry points executable (npm does this on install; tests run dist/ directly).
import { chmodSync, existsSync } from 'node:fs';

for (const file of ['dist/cli.js', 'dist/demo/agent.js']) {
  if (existsSync(file)) chmodSync(file, 0o755);
}
