// The broker's connection handling beyond node:http's defaults:
// - a cap on concurrent connections that makes room by pushing out idle ones first, and answers
//   a connection it cannot take with 503 and `Retry-After` instead of closing it unanswered
//   (a client must never be left wondering whether its message was stored);
// - JSON replies to requests the HTTP parser rejects (malformed, oversized headers, timeouts),
//   written only after every reply still owed on that connection: a valid request pipelined
//   before garbage is answered first, so a client never has a message stored without seeing
//   its 202;
// - a lingering close after a refusal: the connection is half-closed once the reply is out, and
//   what the client still sends is read and thrown away until it closes (bounded in time).
//   Closing a socket with unread input makes the kernel answer with a reset, and a client that
//   is still writing then usually loses the reply it has not read yet.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/** How long a refused connection keeps draining its client's input before it is cut. */
const LINGER_MS = 2_000;
/** How long a parser rejection's reply waits for the replies owed before it. */
const OWED_REPLIES_WAIT_MS = 5_000;
/** Seconds a client turned away at the cap is told to wait before it tries again. */
export const RETRY_AFTER_SECONDS = 1;
/**
 * Connections being turned away (each drains for at most LINGER_MS) beyond which a flood is cut
 * without a reply, so refusing stays bounded too.
 */
const MAX_REFUSING = 1_024;

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
}

interface Connection {
  /** Requests handed to the routes whose responses have not closed yet, in arrival order. */
  inFlight: Set<Exchange>;
  /** Set once the connection is refused: the close is under way and no further request is served. */
  closing: boolean;
  /** Whether a request was ever handed to the routes on it (an idle keep-alive, once done). */
  served: boolean;
}

const connections = new WeakMap<Socket, Connection>();

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request timed out'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request headers are too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large', 'chunk extensions are too large'],
};

function errorReply(error: NodeJS.ErrnoException): string {
  const [status, reason, message] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'Bad Request',
    'malformed HTTP request',
  ];
  const body = JSON.stringify({ error: message });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Half-closes the connection (FIN after what is queued), keeps reading and discarding until the
 * client closes its side, then closes once the reply is flushed; cut after LINGER_MS regardless.
 */
function lingeringClose(socket: Socket): void {
  const connection = connections.get(socket);
  if (connection) connection.closing = true;
  const finish = () => Socket.prototype.destroySoon.call(socket);
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
  socket.end();
  if (socket.readableEnded) return finish();
  socket.once('end', finish);
  // The HTTP parser may have paused reading (replies backing up); draining needs it flowing.
  socket.resume();
}

/**
 * Closes the request's connection gently once the `Connection: close` reply being sent for it
 * is out: node:http then calls `socket.destroySoon()` (end, and destroy as soon as the reply is
 * flushed), which is replaced for this socket by the lingering close. The rest of the request
 * body is discarded as it arrives, and requests pipelined after it are not served.
 */
export function closeAfterReply(req: IncomingMessage): void {
  const socket = req.socket;
  const connection = connections.get(socket);
  if (connection) connection.closing = true;
  socket.destroySoon = () => lingeringClose(socket);
  req.resume();
}

/** Calls `done` once every response has closed, or `expired` when that takes longer than `ms`. */
function afterResponses(
  responses: readonly ServerResponse[],
  ms: number,
  done: () => void,
  expired: () => void,
): void {
  let open = responses.filter((res) => !res.closed).length;
  if (open === 0) return done();
  const timer = setTimeout(expired, ms);
  for (const res of responses) {
    if (res.closed) continue;
    res.once('close', () => {
      open -= 1;
      if (open > 0) return;
      clearTimeout(timer);
      done();
    });
  }
}

/**
 * The `clientError` handler: answers the parser's rejection with a JSON error after the replies
 * owed for complete requests (or already being written) on the connection, then closes it
 * gently. Later reports for the same connection (the parser reports again as more bytes arrive)
 * change nothing.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const connection = connections.get(socket);
  if (connection?.closing) return;
  if (!connection || !socket.writable) {
    socket.destroy();
    return;
  }
  connection.closing = true;
  const owed = [...connection.inFlight]
    .filter(({ req, res }) => req.complete || res.headersSent)
    .map(({ res }) => res);
  afterResponses(
    owed,
    OWED_REPLIES_WAIT_MS,
    () => {
      // Not writable: the client's own `Connection: close` request ended the connection, and
      // node:http closes it; bytes after that request are not a request at all.
      if (!socket.writable) return;
      socket.write(errorReply(error));
      lingeringClose(socket);
    },
    () => socket.destroy(),
  );
}

const BUSY_BODY = JSON.stringify({
  error: `the broker is at capacity; retry after ${RETRY_AFTER_SECONDS} s`,
});
const BUSY_REPLY =
  `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(BUSY_BODY)}\r\nRetry-After: ${RETRY_AFTER_SECONDS}\r\n` +
  `Connection: close\r\n\r\n${BUSY_BODY}`;

/**
 * Caps concurrent connections without letting slow clients lock everyone out, and without
 * leaving anyone unanswered. When a new connection would pass the cap, the oldest connection
 * with no request in flight makes room: an idle keep-alive is closed gently (nothing is owed on
 * it), one that never completed a request (a slow client, or one whose request is not read yet)
 * is answered 503. Only when every connection has a request in flight is the newcomer answered
 * 503. A 503 tells the client to retry; what it sent is discarded unserved.
 */
function limitConnections(server: Server, cap: number): void {
  const open = new Set<Socket>();
  let refusing = 0;
  const turnAway = (socket: Socket) => {
    open.delete(socket);
    if (refusing >= MAX_REFUSING || !socket.writable) {
      socket.destroy();
      return;
    }
    refusing += 1;
    socket.once('close', () => (refusing -= 1));
    socket.write(BUSY_REPLY);
    lingeringClose(socket);
  };
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { inFlight: new Set(), closing: false, served: false });
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    if (open.size <= cap) return;
    for (const candidate of open) {
      const connection = connections.get(candidate);
      if (candidate === socket || connection === undefined || connection.inFlight.size > 0) continue;
      if (connection.served) {
        open.delete(candidate);
        lingeringClose(candidate);
      } else {
        turnAway(candidate);
      }
      return;
    }
    turnAway(socket);
  });
}

/** Installs the connection cap and the parser-rejection replies on `server` (before it listens). */
export function guardConnections(server: Server, maxConnections: number): void {
  limitConnections(server, maxConnections);
  server.on('clientError', answerClientError);
}

/**
 * Records a request as in flight on its connection; false when the connection is being closed
 * after a refusal, in which case the request is discarded unanswered.
 */
export function admitRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const connection = connections.get(req.socket);
  if (connection === undefined) return true;
  const exchange = { req, res };
  connection.served = true;
  connection.inFlight.add(exchange);
  res.once('close', () => connection.inFlight.delete(exchange));
  if (!connection.closing) return true;
  req.resume();
  return false;
}
