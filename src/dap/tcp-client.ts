// A client for the CMSIS-DAP TCP framing: send request packets, receive response packets
// in order. Used by the dapjs transport in the tests, the benchmark, and anything of
// tsprobe's that talks to a CMSIS-DAP device over TCP.
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameType } from './tcp-framing.js';

export class DapTcpClient {
  private readonly decoder = new FrameDecoder();
  private readonly responses: Uint8Array[] = [];
  private waiters: { resolve: (p: Uint8Array) => void; reject: (e: Error) => void }[] = [];
  private error: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of this.decoder.push(chunk)) {
          const w = this.waiters.shift();
          if (w) w.resolve(f.payload);
          else this.responses.push(f.payload);
        }
      } catch (e) {
        this.fail(e as Error);
        socket.destroy();
      }
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('CMSIS-DAP connection closed')));
  }

  private fail(e: Error): void {
    if (!this.error) this.error = e;
    for (const w of this.waiters.splice(0)) w.reject(this.error);
  }

  static open(port: number, host = '127.0.0.1'): Promise<DapTcpClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => {
        s.off('error', reject);
        resolve(new DapTcpClient(s));
      });
      s.once('error', reject);
    });
  }

  /** Send one request packet without waiting for its response (pipelining). */
  send(packet: Uint8Array): void {
    this.socket.write(encodeFrame(FrameType.Request, packet));
  }

  /** Send raw bytes (tests of malformed framing). */
  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next response packet. */
  receive(timeoutMs = 5000): Promise<Uint8Array> {
    const ready = this.responses.shift();
    if (ready) return Promise.resolve(ready);
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== entry);
        reject(new Error(`no CMSIS-DAP response within ${timeoutMs} ms`));
      }, timeoutMs);
      const entry = {
        resolve: (p: Uint8Array) => (clearTimeout(timer), resolve(p)),
        reject: (e: Error) => (clearTimeout(timer), reject(e)),
      };
      this.waiters.push(entry);
    });
  }

  /** One command, one response. */
  async command(packet: Uint8Array | number[], timeoutMs?: number): Promise<Uint8Array> {
    this.send(packet instanceof Uint8Array ? packet : Uint8Array.from(packet));
    return this.receive(timeoutMs);
  }

  /** Resolves when the server has closed the connection. */
  closed(): Promise<void> {
    if (this.socket.destroyed || this.socket.readyState === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}
