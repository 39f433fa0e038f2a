// Starts a GdbServer on a fake target on a free port, for the tests.
import { GdbServer } from '../../src/gdb/server.js';
import { FakeTarget } from './fake-target.js';
import { RspClient } from './rsp-client.js';

export interface Harness {
  target: FakeTarget;
  server: GdbServer;
  port: number;
  logs: string[];
  connect(): Promise<RspClient>;
  close(): Promise<void>;
}

export async function startFakeServer(opts: { fpu?: boolean; flash?: boolean } = {}): Promise<Harness> {
  const target = new FakeTarget(opts);
  const logs: string[] = [];
  const server = new GdbServer(target, { port: 0, version: 'tsprobe test', log: (m) => logs.push(m) });
  const { port } = await server.listen();
  const clients: RspClient[] = [];
  return {
    target,
    server,
    port,
    logs,
    async connect() {
      const c = await RspClient.connect(port);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await server.close();
    },
  };
}

/** Runs `body` with a server on a fake target and one client connected to it; closes both after. */
export async function withFakeClient(body: (c: RspClient, h: Harness) => Promise<void>, opts: { fpu?: boolean; flash?: boolean } = {}): Promise<void> {
  const h = await startFakeServer(opts);
  try {
    await body(await h.connect(), h);
  } finally {
    await h.close();
  }
}
