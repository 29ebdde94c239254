import { notImplemented } from '../commands/not-implemented.js';

export async function runBrokerProcess(): Promise<void> {
  notImplemented('__broker');
}
