import { notImplemented } from './not-implemented.js';

export async function runRemoveCli(_name: string): Promise<void> {
  notImplemented('remove-cli');
}
