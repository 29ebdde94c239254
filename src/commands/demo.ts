import { notImplemented } from './not-implemented.js';

export async function runDemo(_flags: { attach: boolean; clean?: boolean }): Promise<void> {
  notImplemented('demo');
}
