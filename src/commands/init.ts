import { notImplemented } from './not-implemented.js';

export async function runInit(): Promise<void> {
  notImplemented('init');
}
