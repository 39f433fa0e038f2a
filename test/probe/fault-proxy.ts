// A TCP proxy between a CMSIS-DAP host and a CMSIS-DAP TCP server that injects faults at
// the packet level: slow responses, a dropped connection, WAIT storms (DAP_Transfer
// answered "WAIT, nothing done" by the proxy itself). Responses keep request order.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameType } from '../../src/dap/tcp-framing.js';

export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'slow'; ms: number }
  /** Close both sides at the next request. */
  | { kind: 'drop' }
  /** Answer the next `count` DAP_Transfer requests with WAIT (none of the transfers done). */
  | { kind: 'wait'; count: number };

export class FaultProxy {
  mode: FaultMode = { kind: 'pass' };
  readonly stats = { connections: 0, requests: 0, waitsInjected: 0, drops: 0 };
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly upstreamPort: number) {}

  listen(): Promise<number> {
    const server = createServer((c) => this.onClient(c));
    this.server = server;
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  }

  private onClient(client: Socket): void {
    this.stats.connections++;
    const up = connect(this.upstreamPort, '127.0.0.1');
    for (const s of [client, up]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.setNoDelay(true);
    up.setNoDelay(true);
    const kill = () => {
      client.destroy();
      up.destroy();
    };
    client.on('close', kill);
    up.on('close', kill);
    // One slot per request, answered in order: from upstream, or by the proxy itself.
    const slots: { payload?: Uint8Array; local: boolean }[] = [];
    let flushing = false;
    const flush = async () => {
      if (flushing) return;
      flushing = true;
      while (slots.length && slots[0].payload) {
        const s = slots.shift()!;
        if (this.mode.kind === 'slow') await new Promise((r) => setTimeout(r, (this.mode as { ms: number }).ms));
        if (!client.destroyed) client.write(encodeFrame(FrameType.Response, s.payload!));
      }
      flushing = false;
    };
    const fromClient = new FrameDecoder();
    client.on('data', (chunk: Buffer) => {
      for (const f of fromClient.push(chunk)) {
        this.stats.requests++;
        const m = this.mode;
        if (m.kind === 'drop') {
          this.stats.drops++;
          this.mode = { kind: 'pass' };
          kill();
          return;
        }
        if (m.kind === 'wait' && m.count > 0 && f.payload[0] === 0x05) {
          m.count--;
          this.stats.waitsInjected++;
          slots.push({ payload: Uint8Array.of(0x05, 0, 0x02), local: true });
          void flush();
          continue;
        }
        slots.push({ local: false });
        up.write(encodeFrame(FrameType.Request, f.payload));
      }
    });
    const fromUp = new FrameDecoder();
    up.on('data', (chunk: Buffer) => {
      for (const f of fromUp.push(chunk)) {
        const slot = slots.find((s) => !s.local && !s.payload);
        if (slot) slot.payload = f.payload;
      }
      void flush();
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
