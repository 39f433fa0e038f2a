// The remote serial protocol's framing over one byte stream: `$data#cs` packets,
// `+`/`-` acknowledgement with retransmission, no-ack mode, binary escapes, run-length
// encoding of replies, and the out-of-band 0x03 interrupt. It knows nothing about what
// packets mean; the session does. Whatever arrives, it never throws: garbage between
// packets is skipped, a bad checksum gets `-`, an oversized packet is reported to the
// session as such (it answers with an error) and its bytes are dropped.

import type { Duplex } from 'node:stream';
import { BusyPoll } from '../util/busy-poll.js';

export interface RspHandlers {
  /** A packet with a good checksum, escapes removed. `oversized`: data was dropped. */
  packet(data: Buffer, oversized: boolean): void;
  /** 0x03 between packets: the user pressed Ctrl-C. */
  interrupt(): void;
  /** The stream ended or failed. */
  close(): void;
}

export interface RspStats {
  packetsIn: number;
  packetsOut: number;
  badChecksums: number;
  garbageBytes: number;
  retransmissions: number;
  oversized: number;
}

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;
const STAR = 0x2a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const CTRL_C = 0x03;

/** At most this many retransmissions of one reply before we stop answering `-`. */
const MAX_RETRANSMIT = 10;

const enum State {
  Idle,
  Body,
  Check1,
  Check2,
}

export class RspConnection {
  /** After QStartNoAckMode: neither side sends or expects `+`/`-`. */
  noAck = false;
  readonly stats: RspStats = { packetsIn: 0, packetsOut: 0, badChecksums: 0, garbageBytes: 0, retransmissions: 0, oversized: 0 };
  /** Every packet in and out, for debugging (`--debug-rsp`). */
  trace: ((dir: 'in' | 'out', text: string) => void) | null = null;

  private state = State.Idle;
  private body: Buffer;
  private bodyLen = 0;
  private sum = 0;
  private overflow = false;
  private check = 0;
  private lastSent: Buffer | null = null;
  private retransmits = 0;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    private readonly handlers: RspHandlers,
    /** Largest packet body accepted (before unescaping). */
    readonly maxPacket: number,
  ) {
    this.body = Buffer.alloc(Math.min(maxPacket, 4096));
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.on('error', () => this.closeOnce());
    stream.on('close', () => this.closeOnce());
    stream.on('end', () => this.closeOnce());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a reply. Text replies are run-length encoded; binary ones are escaped. */
  send(payload: string | Uint8Array, opts: { binary?: boolean } = {}): void {
    if (this.closed) return;
    let data: Buffer;
    if (typeof payload === 'string') data = rleEncode(Buffer.from(payload, 'latin1'));
    else data = opts.binary ? escapeBinary(payload) : Buffer.from(payload);
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i]!;
    const frame = Buffer.allocUnsafe(data.length + 4);
    frame[0] = DOLLAR;
    data.copy(frame, 1);
    frame[data.length + 1] = HASH;
    frame.write((sum & 0xff).toString(16).padStart(2, '0'), data.length + 2, 'latin1');
    this.lastSent = frame;
    this.retransmits = 0;
    this.stats.packetsOut++;
    this.trace?.('out', typeof payload === 'string' ? payload : `<${payload.length} bytes>`);
    this.write(frame);
    this.busyPoll.kick();
  }

  /**
   * Sends `bytes` as a hex reply (m, g): built straight into the frame. Hex of random data
   * has no runs worth encoding; only when the data has a run of a byte such as 00 or ff
   * (a run of 4+ equal hex digits) does the reply go through the run-length encoder.
   */
  sendHex(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.trace) return this.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
    const frame = hexFrame(bytes);
    this.lastSent = frame;
    this.retransmits = 0;
    this.stats.packetsOut++;
    this.write(frame);
    this.busyPoll.kick();
  }

  /** gdb answers most replies with its next request within microseconds (a stepi is ~40 round trips). */
  private readonly busyPoll = new BusyPoll(300);

  /**
   * A NUL between packets: gdb skips anything before '$' while it waits for a reply,
   * and each byte restarts its reply timeout, so a slow operation (qCRC over a slow
   * wire, a mass erase) does not make gdb give up.
   */
  keepalive(): void {
    this.write(Buffer.from([0]));
  }

  /** Ends the stream after pending writes. */
  close(): void {
    if (this.closed) return;
    this.stream.end();
    this.closeOnce();
  }

  private write(b: Buffer | string): void {
    if (this.closed) return;
    try {
      this.stream.write(b);
    } catch {
      this.closeOnce();
    }
  }

  private closeOnce(): void {
    if (this.closed) return;
    this.closed = true;
    this.busyPoll.stop();
    this.handlers.close();
  }

  private receive(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      switch (this.state) {
        case State.Idle:
          if (c === DOLLAR) this.startPacket();
          else if (c === PLUS) this.retransmits = 0;
          else if (c === MINUS) this.retransmit();
          else if (c === CTRL_C) this.handlers.interrupt();
          else this.stats.garbageBytes++;
          break;
        case State.Body: {
          if (c === HASH) {
            this.state = State.Check1;
            break;
          }
          if (c === DOLLAR) {
            // A '$' never appears inside a packet: the previous one was cut short.
            this.stats.garbageBytes += this.bodyLen + 1;
            this.startPacket();
            break;
          }
          // Fast path: copy the run up to the next '#' or '$' in one go (native searches).
          let end = chunk.indexOf(HASH, i);
          if (end < 0) end = chunk.length;
          const dollar = chunk.indexOf(DOLLAR, i);
          if (dollar >= 0 && dollar < end) end = dollar;
          for (let k = i; k < end; k++) this.sum += chunk[k]!;
          this.append(chunk, i, end);
          i = end - 1;
          break;
        }
        case State.Check1:
          this.check = hexDigit(c) << 4;
          if (this.check < 0) this.check = -1;
          this.state = State.Check2;
          break;
        case State.Check2: {
          const lo = hexDigit(c);
          const ok = this.check >= 0 && lo >= 0 && (this.check | lo) === (this.sum & 0xff);
          this.state = State.Idle;
          this.finishPacket(ok);
          break;
        }
      }
    }
  }

  private startPacket(): void {
    this.state = State.Body;
    this.bodyLen = 0;
    this.sum = 0;
    this.overflow = false;
  }

  private append(src: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.overflow) return;
    if (this.bodyLen + n > this.maxPacket) {
      this.overflow = true;
      return;
    }
    if (this.bodyLen + n > this.body.length) {
      const bigger = Buffer.alloc(Math.min(this.maxPacket, Math.max(this.body.length * 2, this.bodyLen + n)));
      this.body.copy(bigger, 0, 0, this.bodyLen);
      this.body = bigger;
    }
    src.copy(this.body, this.bodyLen, from, to);
    this.bodyLen += n;
  }

  private finishPacket(ok: boolean): void {
    if (!ok) {
      this.stats.badChecksums++;
      if (!this.noAck) this.write('-');
      return;
    }
    if (!this.noAck) this.write('+');
    this.stats.packetsIn++;
    if (this.overflow) this.stats.oversized++;
    const data = unescapeBinary(this.body.subarray(0, this.bodyLen));
    this.trace?.('in', data.length > 200 ? `${data.subarray(0, 200).toString('latin1')}...` : data.toString('latin1'));
    this.handlers.packet(data, this.overflow);
  }

  private retransmit(): void {
    if (this.noAck || this.lastSent === null) return;
    if (this.retransmits >= MAX_RETRANSMIT) return;
    this.retransmits++;
    this.stats.retransmissions++;
    this.write(this.lastSent);
  }
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** HEX_SUM[v]: the checksum of the 4 hex digits of the little-endian halfword v. */
const HEX_SUM = new Uint16Array(65536);
/** RUN_PAIR[v]: the halfword's two bytes are one and the same byte with equal nibbles (0000, 1111, ..., ffff in hex). */
const RUN_PAIR = new Uint8Array(65536);
{
  const digitSum = (b: number) => '0123456789abcdef'.charCodeAt(b >> 4) + '0123456789abcdef'.charCodeAt(b & 15);
  for (let v = 0; v < 65536; v++) {
    HEX_SUM[v] = digitSum(v & 0xff) + digitSum(v >> 8);
    const lo = v & 0xff;
    if (lo === v >> 8 && lo >> 4 === (lo & 15)) RUN_PAIR[v] = 1;
  }
}

/**
 * `$hex#cs` for a memory or register reply, built in one buffer: the checksum and the
 * look for runs go two bytes at a time through tables, the hex digits come from Node's
 * native encoder. Runs of a digit that span a halfword such as 0000 or ffff are then
 * run-length encoded in place, and everything between them moves with native copies.
 */
export function hexFrame(bytes: Uint8Array): Buffer {
  const n = bytes.length;
  const src = (bytes.byteOffset & 1) === 0 ? bytes : bytes.slice();
  const halves = new Uint16Array(src.buffer, src.byteOffset, n >>> 1);
  let sum = 0;
  let runs: number[] | null = null;
  for (let k = 0; k < halves.length; k++) {
    const v = halves[k]!;
    sum += HEX_SUM[v]!;
    if (RUN_PAIR[v]) (runs ??= []).push(k);
  }
  if (n & 1) sum += HEX_SUM[src[n - 1]!]! - 96; // the odd last byte: its two digits, without the two '0's of the zero high byte
  const frame = Buffer.allocUnsafe(2 * n + 4);
  frame[0] = DOLLAR;
  frame.write(Buffer.from(src.buffer, src.byteOffset, n).toString('hex'), 1, 'latin1');
  let end = 1 + 2 * n;
  if (runs) ({ end, sum } = encodeRunsInPlace(frame, end, runs, sum));
  frame[end] = HASH;
  frame.write((sum & 0xff).toString(16).padStart(2, '0'), end + 1, 'latin1');
  return frame.subarray(0, end + 3);
}

/**
 * Run-length encodes, in place, the runs of hex digits in f[1..end) that contain one of
 * the halfwords `at` (each 4 equal digits at 1 + 4k), by rleEncode's rules: at most 98
 * characters per `c*N`, never a count that reads as '#' or '$'. Returns the new end and checksum.
 */
function encodeRunsInPlace(f: Buffer, end: number, at: readonly number[], sum: number): { end: number; sum: number } {
  let r = 1; // next character not yet placed
  let w = 1; // where it goes
  for (const k of at) {
    const p = 1 + 4 * k;
    if (p < r) continue; // inside a run already encoded
    const c = f[p]!;
    let s = p;
    while (s > r && f[s - 1] === c) s--;
    let e = p + 4;
    while (e < end && f[e] === c) e++;
    if (w !== r) f.copy(f, w, r, s);
    w += s - r;
    let left = e - s;
    sum -= c * left;
    while (left > 0) {
      const take = Math.min(left, 98);
      if (take >= 4) {
        let repeats = take - 1;
        if (repeats === 6 || repeats === 7) repeats = 5;
        f[w++] = c;
        f[w++] = STAR;
        f[w++] = repeats + 29;
        sum += c + STAR + repeats + 29;
        left -= repeats + 1;
      } else {
        for (let t = 0; t < take; t++) f[w++] = c;
        sum += c * take;
        left -= take;
      }
    }
    r = e;
  }
  if (w !== r) f.copy(f, w, r, end);
  w += end - r;
  return { end: w, sum };
}

/** Removes `}` escapes (X, vFlashWrite). Other packets never contain `}`. */
export function unescapeBinary(data: Buffer): Buffer {
  if (data.indexOf(ESCAPE) < 0) return Buffer.from(data);
  const out = Buffer.allocUnsafe(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === ESCAPE && i + 1 < data.length) out[n++] = data[++i]! ^ 0x20;
    else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** Escapes the bytes a binary reply must not contain raw: `$ # } *`. */
export function escapeBinary(data: Uint8Array): Buffer {
  let extra = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === DOLLAR || c === HASH || c === ESCAPE || c === STAR) extra++;
  }
  const out = Buffer.allocUnsafe(data.length + extra);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === DOLLAR || c === HASH || c === ESCAPE || c === STAR) {
      out[n++] = ESCAPE;
      out[n++] = c ^ 0x20;
    } else out[n++] = c;
  }
  return out;
}

/**
 * Run-length encoding of a text reply: a run of a character is sent as the character,
 * `*` and a count byte (count + 29). Counts that would make `#` or `$` (6, 7) are cut to 5,
 * and a count stays printable (at most 97 extra repeats). Short runs stay literal.
 */
export function rleEncode(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let n = 0;
  let i = 0;
  while (i < data.length) {
    const c = data[i]!;
    let run = 1;
    while (i + run < data.length && data[i + run] === c && run < 98) run++;
    // Encoding costs 3 bytes; only worth it for runs of 4 or more.
    if (run >= 4 && c !== STAR && c !== ESCAPE) {
      let repeats = run - 1;
      if (repeats === 6 || repeats === 7) repeats = 5;
      out[n++] = c;
      out[n++] = STAR;
      out[n++] = repeats + 29;
      i += repeats + 1;
    } else {
      out[n++] = c;
      i++;
    }
  }
  return out.subarray(0, n);
}

/** Expands run-length encoding (what gdb does with our replies; used by the tests). */
export function rleDecode(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === STAR && out.length > 0 && i + 1 < data.length) {
      const repeats = data[++i]! - 29;
      const prev = out[out.length - 1]!;
      for (let k = 0; k < repeats; k++) out.push(prev);
    } else out.push(c);
  }
  return Buffer.from(out);
}
