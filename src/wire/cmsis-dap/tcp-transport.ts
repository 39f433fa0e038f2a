// CMSIS-DAP over TCP in the framing of upstream OpenOCD's `cmsis-dap backend tcp`: what
// tsprobe's own `tsprobe dap` serves, so a probe on another machine (or a simulated
// board in another process) is a wire like any USB probe. Packets sent in one turn of the
// event loop (a pipelined DAP_TransferBlock run) leave in one TCP write (cork/uncork).
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameType } from '../../dap/tcp-framing.js';
import { TransportError, type DapTransport } from './transport.js';

export class TcpDapTransport implements DapTransport {
  readonly description: string;
  private readonly decoder = new FrameDecoder();
  private readonly ready: Uint8Array[] = [];
  private waiter: { resolve: (p: Uint8Array) => void; reject: (e: Error) => void } | null = null;
  private error: Error | null = null;
  private corked = false;

  private constructor(private readonly socket: Socket, host: string, port: number) {
    this.description = `tcp://${host}:${port}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = this.decoder.push(chunk);
      } catch (e) {
        this.fail(`${(e as Error).message} (not a CMSIS-DAP TCP server?)`);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        if (f.type !== FrameType.Response) continue; // only responses travel this way
        const w = this.waiter;
        this.waiter = null;
        if (w) w.resolve(f.payload);
        else this.ready.push(f.payload);
      }
    });
    socket.on('error', (e) => this.fail(e.message));
    socket.on('close', () => this.fail('CMSIS-DAP connection closed'));
  }

  private fail(why: string): void {
    if (!this.error) this.error = new TransportError(`CMSIS-DAP probe ${this.description}: ${why}`);
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.error);
  }

  static async open(host: string, port: number, timeoutMs = 5000): Promise<TcpDapTransport> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new TransportError(`cannot connect to the CMSIS-DAP probe at tcp://${host}:${port}: no answer within ${timeoutMs} ms (is \`tsprobe dap\` or another CMSIS-DAP TCP server listening there?)`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(new TcpDapTransport(s, host, port));
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new TransportError(`cannot connect to the CMSIS-DAP probe at tcp://${host}:${port}: ${e.message} (is \`tsprobe dap\` or another CMSIS-DAP TCP server listening there?)`));
      });
    });
  }

  async send(packet: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(encodeFrame(FrameType.Request, packet));
  }

  receive(timeoutMs: number): Promise<Uint8Array> {
    const r = this.ready.shift();
    if (r) return Promise.resolve(r);
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new TransportError(`CMSIS-DAP probe ${this.description}: no CMSIS-DAP response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (p) => (clearTimeout(timer), resolve(p)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  async close(): Promise<void> {
    this.socket.destroy();
  }
}
