import { notImplemented } from './not-implemented.js';

export async function runDashboard(): Promise<void> {
  notImplemented('dashboard');
}
