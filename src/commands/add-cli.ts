import { notImplemented } from './not-implemented.js';

export async function runAddCli(_name: string, _command: string, _flags: { displayName?: string }): Promise<void> {
  notImplemented('add-cli');
}
