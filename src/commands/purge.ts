import { notImplemented } from './not-implemented.js';

export async function runPurge(_flags: { force?: boolean }): Promise<void> {
  notImplemented('purge');
}
