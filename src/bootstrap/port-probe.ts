// Which ports something already uses: a port is free only when git-paw can listen on it both on
// the wildcard address (IPv6 dual-stack, or 0.0.0.0 without IPv6) and on 127.0.0.1, so a server
// bound to any one interface counts. The two binds of one port run one after the other (they
// would collide with each other); different ports are probed side by side, a bounded number at a
// time so a large block does not run out of file descriptors.
import { createServer } from 'node:net';

/** Ports probed at once. */
const PARALLEL_PROBES = 128;

/** Errors that mean "this machine has no such address family", not "the port is taken". */
const NO_ADDRESS_FAMILY = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL']);

type BindOutcome = 'bound' | 'taken' | 'no-family';

function tryBind(host: string, port: number): Promise<BindOutcome> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(NO_ADDRESS_FAMILY.has(error.code ?? '') ? 'no-family' : 'taken'),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('bound')));
  });
}

async function portInUse(port: number): Promise<boolean> {
  let wildcard = await tryBind('::', port);
  if (wildcard === 'no-family') wildcard = await tryBind('0.0.0.0', port);
  if (wildcard !== 'bound') return true;
  return (await tryBind('127.0.0.1', port)) !== 'bound';
}

/** The ports among `ports` that cannot be listened on (see the header). */
export async function busyPorts(ports: readonly number[]): Promise<Set<number>> {
  const busy = new Set<number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ports.length) {
      const port = ports[next++] as number;
      if (await portInUse(port)) busy.add(port);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PROBES, ports.length) }, worker));
  return busy;
}
