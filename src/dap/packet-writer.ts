// Writing a response packet: little-endian fields, counts patched in at the end.

/** A growable response buffer (little-endian fields). */
export class PacketWriter {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity = 64) {
    // From Node's buffer pool (a fresh ArrayBuffer per response is costly); only written
    // bytes are ever read. A plain Uint8Array view, so that slice() copies.
    const b = Buffer.allocUnsafe(capacity);
    this.buf = new Uint8Array(b.buffer, b.byteOffset, capacity);
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
    // Filled exactly (a full block of reads): the buffer itself, no copy. The writer is done with it.
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}
