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
