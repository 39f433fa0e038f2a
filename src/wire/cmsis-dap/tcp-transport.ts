// CMSIS-DAP over TCP in the framing of upstream OpenOCD's `cmsis-dap backend tcp`: what
// tsprobe's own `tsprobe dap` serves, so a probe on another machine (or a simulated
// board in another process) is a wire like any USB probe. Packets sent in one turn of the
// event loop (a pipelined DAP_TransferBlock run) leave in one TCP write (cork/uncork).
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameType } from '../../dap/tcp-framing.js';
import { TransportError, type DapTransport } from './transport.js';

/** Packets from this size on are not held back to share a write with later ones. */
const LARGE_PACKET = 4096;

export class TcpDapTransport implements DapTransport {
  readonly description: string;
  readonly network = true;
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
    if (this.watchdog) clearInterval(this.watchdog.timer);
    this.watchdog = null;
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
    // A large packet goes at once, so the device runs it while the host prepares the next.
    if (packet.length >= LARGE_PACKET && !this.corked) {
      this.socket.write(encodeFrame(FrameType.Request, packet));
      return;
    }
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
      this.waiter = { resolve, reject };
      this.deadline = performance.now() + timeoutMs;
      this.waitMs = timeoutMs;
      this.watch(timeoutMs);
    });
  }

  /**
   * Response timeouts without a timer per packet (thousands a second on a block
   * transfer): one watchdog, unref'd (the socket keeps the process alive), looks at the
   * waiting receive's deadline a few times per timeout.
   */
  private deadline = 0;
  private waitMs = 0;
  private watchdog: { timer: ReturnType<typeof setInterval>; period: number } | null = null;

  private watch(timeoutMs: number): void {
    const period = Math.max(5, Math.min(250, Math.floor(timeoutMs / 5)));
    if (this.watchdog && this.watchdog.period <= period) return;
    if (this.watchdog) clearInterval(this.watchdog.timer);
    const timer = setInterval(() => {
      const w = this.waiter;
      if (!w || performance.now() < this.deadline) return;
      this.waiter = null;
      w.reject(new TransportError(`CMSIS-DAP probe ${this.description}: no CMSIS-DAP response within ${this.waitMs} ms`));
    }, period);
    timer.unref();
    this.watchdog = { timer, period };
  }

  async close(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog.timer);
    this.watchdog = null;
    this.socket.destroy();
  }
}
