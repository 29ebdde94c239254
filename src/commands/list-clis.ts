import { notImplemented } from './not-implemented.js';

export async function runListClis(): Promise<void> {
  notImplemented('list-clis');
}
