import { notImplemented } from './not-implemented.js';

export async function runReplay(
  _branch: string | undefined,
  _flags: { list?: boolean; color?: boolean; session?: string },
): Promise<void> {
  notImplemented('replay');
}
