import type { StartFlags } from '../cli.js';
import { notImplemented } from './not-implemented.js';

export async function runStart(_flags: StartFlags): Promise<void> {
  notImplemented('start');
}
