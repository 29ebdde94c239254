import { notImplemented } from './not-implemented.js';

export async function runStatus(_flags: { json?: boolean }): Promise<void> {
  notImplemented('status');
}
