// Reading a command out of a request packet. Running off the end throws Truncated, which
// the processor turns into an error reply before it has changed anything.

export class Truncated extends Error {
  constructor(what: string) {
    super(`truncated command: ${what} missing`);
    this.name = 'Truncated';
  }
}

/** A command the processor cannot accept (truncated, too long for a packet, bad field). */
export class Malformed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Malformed';
  }
}

export class PacketReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get left(): number {
    return this.end - this.pos;
  }

  u8(what = 'byte'): number {
    if (this.pos + 1 > this.end) throw new Truncated(what);
    return this.buf[this.pos++];
  }

  u16(what = 'half-word'): number {
    if (this.pos + 2 > this.end) throw new Truncated(what);
    const v = this.buf[this.pos] | (this.buf[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }

  u32(what = 'word'): number {
    if (this.pos + 4 > this.end) throw new Truncated(what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  bytes(n: number, what = 'data'): Uint8Array {
    if (this.pos + n > this.end) throw new Truncated(what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** A growable response buffer (little-endian fields). */
export class PacketWriter {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.length++] = v & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    const b = this.buf;
    let n = this.length;
    b[n++] = v & 0xff;
    b[n++] = (v >>> 8) & 0xff;
    b[n++] = (v >>> 16) & 0xff;
    b[n++] = (v >>> 24) & 0xff;
    this.length = n;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.room(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Overwrite a byte already written (counts known only at the end). */
  patchU8(at: number, v: number): void {
    this.buf[at] = v & 0xff;
  }

  patchU16(at: number, v: number): void {
    this.buf[at] = v & 0xff;
    this.buf[at + 1] = (v >>> 8) & 0xff;
  }

  /** Drop everything written after `at` (undo a partial response). */
  truncate(at: number): void {
    this.length = at;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
