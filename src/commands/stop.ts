import { notImplemented } from './not-implemented.js';

export async function runStop(): Promise<void> {
  notImplemented('stop');
}
