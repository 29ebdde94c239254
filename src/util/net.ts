// One TCP connect to find out whether anything listens at an address, far cheaper than an HTTP
// request: a launch polls its starting broker with it, and the leftover check and a starting
// broker server look at a port with it before they ask there over HTTP.
import { connect } from 'node:net';

/** What a connect met: a listener, a refusal (nothing listens), or no answer in time (or another error). */
export type ConnectOutcome = 'accepted' | 'refused' | 'no answer';

/** Connects to the host and port of `url` (IPv6 in brackets) and closes again at once. */
export function connectOutcome(url: string | URL, timeoutMs: number): Promise<ConnectOutcome> {
  const { hostname, port } = typeof url === 'string' ? new URL(url) : url;
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    const settle = (outcome: ConnectOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => settle('no answer'));
    socket.once('connect', () => settle('accepted'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      settle(error.code === 'ECONNREFUSED' ? 'refused' : 'no answer'),
    );
  });
}
