// The per-agent port allocator (pure, with a fake probe), the pane variables and labels of a
// block, and the real probe against sockets this test binds.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { busyPorts } from '../../src/bootstrap/port-probe.js';
import {
  allocatePortBlocks,
  portEnv,
  portSpan,
  portsSuffix,
  type PortProbe,
} from '../../src/bootstrap/ports.js';
import { ConfigError, PortError } from '../../src/util/errors.js';

/** A probe that reports `busy` as in use and records every port it was asked about. */
function fakeProbe(busy: readonly number[] = []): PortProbe & { asked: number[] } {
  const asked: number[] = [];
  const probe = (ports: readonly number[]) => {
    asked.push(...ports);
    return Promise.resolve(new Set(ports.filter((port) => busy.includes(port))));
  };
  return Object.assign(probe, { asked });
}

const range = (first: number, last: number, perAgent: number) => ({ first, last, perAgent });

describe('allocatePortBlocks', () => {
  it('hands out blocks aligned at the range start, in range order', async () => {
    expect(await allocatePortBlocks(range(3100, 3999, 10), 2, new Set(), fakeProbe())).toEqual([
      [3100, 3101, 3102, 3103, 3104, 3105, 3106, 3107, 3108, 3109],
      [3110, 3111, 3112, 3113, 3114, 3115, 3116, 3117, 3118, 3119],
    ]);
    expect(await allocatePortBlocks(range(5000, 5009, 1), 3, new Set(), fakeProbe())).toEqual([
      [5000],
      [5001],
      [5002],
    ]);
  });

  it('skips a whole block when any of its ports is in use', async () => {
    const blocks = await allocatePortBlocks(range(3100, 3199, 4), 2, new Set(), fakeProbe([3102, 3104]));
    expect(blocks).toEqual([
      [3108, 3109, 3110, 3111],
      [3112, 3113, 3114, 3115],
    ]);
  });

  it('never hands out a block with a reserved port, and does not probe it', async () => {
    const probe = fakeProbe();
    const blocks = await allocatePortBlocks(range(3100, 3199, 2), 1, new Set([3101]), probe);
    expect(blocks).toEqual([[3102, 3103]]);
    expect(probe.asked).not.toContain(3100);
  });

  it('probes only a couple of blocks beyond those it needs, not the whole range', async () => {
    const probe = fakeProbe();
    await allocatePortBlocks(range(3100, 3999, 10), 2, new Set(), probe);
    expect(probe.asked.length).toBeLessThanOrEqual(4 * 10);
  });

  it('keeps probing further blocks while busy ones leave it short', async () => {
    const busy = Array.from({ length: 10 }, (_, index) => 4000 + index * 2);
    expect(await allocatePortBlocks(range(4000, 4099, 2), 1, new Set(), fakeProbe(busy))).toEqual([
      [4020, 4021],
    ]);
  });

  it('leaves the trailing partial block of a range unused', async () => {
    await expect(allocatePortBlocks(range(3100, 3109, 4), 2, new Set(), fakeProbe([3100]))).rejects.toThrow(
      PortError,
    );
  });

  it('calls a range too small for every agent a config error that says how many ports are needed', async () => {
    const failure = allocatePortBlocks(range(3100, 3109, 4), 3, new Set(), fakeProbe());
    await expect(failure).rejects.toThrow(ConfigError);
    await expect(failure).rejects.toThrow(
      'Config error: [ports] range = "3100-3109" holds 10 ports, but 3 agents with per_agent = 4 need 12',
    );
  });

  it('says how many agents got a block when the free ones run out', async () => {
    const failure = allocatePortBlocks(range(3100, 3103, 1), 3, new Set([3100]), fakeProbe([3102]));
    await expect(failure).rejects.toThrow(
      'Port error: only 2 of 3 agents can get a free port in [ports] range 3100-3103; the other ports are in use or taken by other agents',
    );
  });

  it('needs no probe for no agents', async () => {
    const probe = fakeProbe();
    expect(await allocatePortBlocks(range(3100, 3100, 5), 0, new Set(), probe)).toEqual([]);
    expect(probe.asked).toEqual([]);
  });
});

describe('a block in the pane and on screen', () => {
  it('sets PORT to the first port and GIT_PAW_PORT_<i> to each', () => {
    expect(portEnv([3110, 3111, 3112])).toEqual({
      PORT: '3110',
      GIT_PAW_PORT_0: '3110',
      GIT_PAW_PORT_1: '3111',
      GIT_PAW_PORT_2: '3112',
    });
    expect(portEnv([])).toEqual({});
  });

  it('labels one port or a span, and nothing without ports', () => {
    expect(portSpan([3100])).toBe('3100');
    expect(portSpan([3100, 3101, 3102])).toBe('3100-3102');
    expect(portsSuffix([3100])).toBe(' · port 3100');
    expect(portsSuffix([3100, 3101])).toBe(' · ports 3100-3101');
    expect(portsSuffix(undefined)).toBe('');
  });
});

describe('busyPorts', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  function listen(host: string): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ host, port: 0 }, () => {
        servers.push(server);
        resolve(server);
      });
    });
  }

  const portOf = (server: Server) => (server.address() as { port: number }).port;

  it('reports ports bound on loopback or on every interface, and a port once its server closed as free', async () => {
    const loopback = portOf(await listen('127.0.0.1'));
    const wildcard = portOf(await listen('0.0.0.0'));
    expect([...(await busyPorts([loopback, wildcard]))].sort()).toEqual([loopback, wildcard].sort());
    const closed = servers.pop() as Server;
    await new Promise((resolve) => closed.close(resolve));
    expect(await busyPorts([wildcard])).toEqual(new Set());
  });
});
