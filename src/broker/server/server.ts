// The broker's HTTP server on node:http: timeouts that stop slow clients from piling up, the
// connection handling of connections.ts (cap, JSON replies to the parser's rejections in order,
// gentle close after a refusal), and a graceful stop (stop accepting, let in-flight requests
// finish within a bound — kept-alive connections close after their current reply — then cut the
// rest).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { admitRequest, guardConnections } from './connections.js';
import { allowedAuthorities } from '../http-parse.js';
import { createRequestHandler } from './routes.js';
import type { BrokerService } from './service.js';

export const MAX_CONNECTIONS = 128;
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 2_000;

export interface BrokerServerOptions {
  service: BrokerService;
  bind: string;
  /** Port to listen on (0 picks a free one; tests only). */
  port: number;
  token: string | null;
  /** Whether the MCP endpoint answers (default on). */
  mcp?: boolean;
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, waits (bounded) for in-flight requests, closes every connection. */
  stop(): Promise<void>;
}

/** Creates the server and starts listening; rejects with the listen error (e.g. EADDRINUSE). */
export async function startBrokerServer(options: BrokerServerOptions): Promise<RunningServer> {
  let stopping: Promise<void> | undefined;
  const server = createServer({
    requireHostHeader: false,
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: 1_000,
  });
  guardConnections(server, MAX_CONNECTIONS);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.bind, port: options.port, backlog: 1024 }, () => {
      server.off('error', reject);
      // The allowed Host values need the bound port, so the handler is attached only now
      // (before any connection can be processed).
      const port = (server.address() as AddressInfo).port;
      const handle = createRequestHandler({
        service: options.service,
        token: options.token,
        allowedHosts: allowedAuthorities(options.bind, port),
        mcp: options.mcp !== false,
      });
      server.on('request', (req, res) => {
        // Once stopping, each kept-alive connection closes after its current reply instead of
        // holding the stop (and a successor waiting for the port) for the whole grace period.
        if (stopping) res.setHeader('connection', 'close');
        if (admitRequest(req, res)) handle(req, res);
      });
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      const cut = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    });
    return stopping;
  };
  return { server, port, stop };
}
