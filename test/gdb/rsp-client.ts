// A minimal raw RSP client for the tests: it speaks bytes on a socket so the tests can
// send malformed input as easily as good packets, and checks what comes back.

import net from 'node:net';
import { rleDecode } from '../../src/gdb/rsp-connection.js';

export type RspEvent = { type: 'ack'; ok: boolean } | { type: 'packet'; data: Buffer; raw: Buffer };

export function frame(data: string | Buffer, badChecksum = false): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  let sum = 0;
  for (const b of body) sum += b;
  if (badChecksum) sum += 1;
  return Buffer.concat([Buffer.from('$'), body, Buffer.from('#' + (sum & 0xff).toString(16).padStart(2, '0'))]);
}

export class RspClient {
  noAck = false;
  closed = false;
  /** NUL bytes received between packets (the server's keepalives). */
  nulBytes = 0;
  private buf = Buffer.alloc(0);
  private events: RspEvent[] = [];
  private waiter: (() => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RspClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new RspClient(s)));
      s.setNoDelay(true); // acks and packets are tiny writes: no Nagle delay
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private parse(): void {
    for (;;) {
      if (this.buf.length === 0) break;
      const c = this.buf[0]!;
      if (c === 0x2b || c === 0x2d) {
        this.events.push({ type: 'ack', ok: c === 0x2b });
        this.buf = this.buf.subarray(1);
        continue;
      }
      if (c !== 0x24) {
        if (c === 0) this.nulBytes++;
        this.buf = this.buf.subarray(1);
        continue;
      }
      const hash = this.buf.indexOf(0x23);
      if (hash < 0 || this.buf.length < hash + 3) break;
      const body = this.buf.subarray(1, hash);
      let sum = 0;
      for (const b of body) sum += b;
      const cs = parseInt(this.buf.subarray(hash + 1, hash + 3).toString('latin1'), 16);
      if (cs !== (sum & 0xff)) throw new Error(`server sent a bad checksum: ${this.buf.subarray(0, hash + 3).toString('latin1')}`);
      this.events.push({ type: 'packet', data: rleDecode(Buffer.from(body)), raw: Buffer.from(body) });
      if (!this.noAck) this.socket.write('+');
      this.buf = this.buf.subarray(hash + 3);
    }
    this.wake();
  }

  /** The next event, or an error after `timeoutMs`. */
  async next(timeoutMs = 3000): Promise<RspEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for the server');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    return this.events.shift()!;
  }

  async expectAck(ok = true): Promise<void> {
    const e = await this.next();
    if (e.type !== 'ack' || e.ok !== ok) throw new Error(`expected ${ok ? '+' : '-'}, got ${JSON.stringify(e.type === 'ack' ? e : e.data.toString('latin1'))}`);
  }

  /** The next packet's payload (run-length decoded), skipping nothing. */
  async packet(timeoutMs = 3000): Promise<string> {
    const e = await this.next(timeoutMs);
    if (e.type !== 'packet') throw new Error(`expected a packet, got ${e.ok ? '+' : '-'}`);
    return e.data.toString('latin1');
  }

  raw(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  send(data: string | Buffer): void {
    this.raw(frame(data));
  }

  /** Sends a packet, checks the ack, returns the reply; O packets are collected into `console`. */
  async request(data: string | Buffer, console: string[] = []): Promise<string> {
    await this.sendAcked(data);
    return this.reply(console);
  }

  /** Sends a packet and checks the ack, without waiting for the reply (vCont;c, c, ...). */
  async sendAcked(data: string | Buffer): Promise<void> {
    this.send(data);
    if (!this.noAck) await this.expectAck();
  }

  /** The next packet that is not console output (O packets, decoded, go to `console`). */
  async reply(console: string[] = []): Promise<string> {
    for (;;) {
      const p = await this.packet();
      if (p.startsWith('O') && p !== 'OK' && /^O([0-9a-f]{2})+$/.test(p)) {
        console.push(Buffer.from(p.slice(1), 'hex').toString('utf8'));
        continue;
      }
      return p;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
