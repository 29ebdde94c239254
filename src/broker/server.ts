// The broker's HTTP server on node:http: timeouts that stop slow clients from piling up, a cap
// on concurrent connections, JSON bodies for the parser's own rejections, and a graceful stop
// (stop accepting, let in-flight requests finish within a bound, then cut the rest).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { allowedAuthorities } from './http-parse.js';
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
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, waits (bounded) for in-flight requests, closes every connection. */
  stop(): Promise<void>;
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request timed out'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request headers are too large'],
};

/** Writes a JSON error straight to a socket whose request the HTTP parser rejected. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'Bad Request',
    'malformed HTTP request',
  ];
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroySoon();
}

/**
 * Caps concurrent connections without letting slow clients lock everyone out: when a new
 * connection would pass the cap, the oldest connection with no request in flight (a client
 * that never finished its headers, or an idle keep-alive) is closed to make room; only when
 * every connection is busy is the newcomer refused.
 */
function limitConnections(server: Server, cap: number): void {
  const open = new Map<Socket, { busy: number }>();
  server.on('connection', (socket: Socket) => {
    open.set(socket, { busy: 0 });
    socket.once('close', () => open.delete(socket));
    if (open.size <= cap) return;
    for (const [candidate, state] of open) {
      if (state.busy === 0 && candidate !== socket) {
        candidate.destroy();
        open.delete(candidate);
        return;
      }
    }
    socket.destroy();
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = open.get(req.socket);
    if (!state) return;
    state.busy += 1;
    res.once('close', () => (state.busy -= 1));
  });
}

/** Creates the server and starts listening; rejects with the listen error (e.g. EADDRINUSE). */
export async function startBrokerServer(options: BrokerServerOptions): Promise<RunningServer> {
  const server = createServer({
    requireHostHeader: false,
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: 1_000,
  });
  limitConnections(server, MAX_CONNECTIONS);
  server.on('clientError', answerClientError);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.bind, port: options.port, backlog: 1024 }, () => {
      server.off('error', reject);
      // The allowed Host values need the bound port, so the handler is attached only now
      // (before any connection can be processed).
      const port = (server.address() as AddressInfo).port;
      server.on(
        'request',
        createRequestHandler({
          service: options.service,
          token: options.token,
          allowedHosts: allowedAuthorities(options.bind, port),
        }),
      );
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
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
