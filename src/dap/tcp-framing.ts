// The framing of upstream OpenOCD's `cmsis-dap backend tcp`: every request and response is
// an 8-byte little-endian header (u32 signature 0x00504144 "DAP\0", u16 payload length,
// u8 type: 1 request / 2 response, u8 reserved 0) followed by the payload.

export const FRAME_SIGNATURE = 0x00504144;
export const FRAME_HEADER_BYTES = 8;
export const FrameType = { Request: 1, Response: 2 } as const;
export const DEFAULT_DAP_TCP_PORT = 4441;

export function encodeFrame(type: number, payload: Uint8Array): Buffer {
  if (payload.length > 0xffff) throw new RangeError(`CMSIS-DAP TCP payload of ${payload.length} bytes exceeds 65535`);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32LE(FRAME_SIGNATURE, 0);
  out.writeUInt16LE(payload.length, 4);
  out[6] = type;
  out[7] = 0;
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export interface Frame {
  type: number;
  payload: Uint8Array;
}

export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

/** A plain Uint8Array view (not a Buffer, whose slice() would not copy). */
const view = (b: Buffer, at: number, n: number) => new Uint8Array(b.buffer, b.byteOffset + at, n);

/**
 * Splits a byte stream into frames. A bad signature cannot be resynchronised: it throws.
 * Payloads are views into the received chunks (Node hands out a fresh Buffer per read);
 * only a frame split across reads is copied, and only that frame, not the whole chunk.
 */
export class FrameDecoder {
  /** The start of a frame that has not arrived in full. */
  private partial: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let pos = 0;
    if (this.partial.length > 0) {
      // Complete the split frame: first its header, then its payload.
      let have = this.partial;
      if (have.length < FRAME_HEADER_BYTES) {
        const take = Math.min(FRAME_HEADER_BYTES - have.length, chunk.length);
        have = Buffer.concat([have, chunk.subarray(0, take)]);
        pos = take;
        if (have.length < FRAME_HEADER_BYTES) {
          this.partial = have;
          return frames;
        }
      }
      const len = this.header(have, 0);
      const take = Math.min(FRAME_HEADER_BYTES + len - have.length, chunk.length - pos);
      if (take > 0) have = Buffer.concat([have, chunk.subarray(pos, pos + take)]);
      pos += take;
      if (have.length < FRAME_HEADER_BYTES + len) {
        this.partial = have;
        return frames;
      }
      frames.push({ type: have[6], payload: view(have, FRAME_HEADER_BYTES, len) });
      this.partial = Buffer.alloc(0);
    }
    while (chunk.length - pos >= FRAME_HEADER_BYTES) {
      const len = this.header(chunk, pos);
      if (chunk.length - pos < FRAME_HEADER_BYTES + len) break;
      frames.push({ type: chunk[pos + 6], payload: view(chunk, pos + FRAME_HEADER_BYTES, len) });
      pos += FRAME_HEADER_BYTES + len;
    }
    // What is left is short: a copy, so the chunk it came from can go.
    if (pos < chunk.length) this.partial = Buffer.from(chunk.subarray(pos));
    return frames;
  }

  /** Checks the signature of the header at `pos`; returns the payload length. */
  private header(b: Buffer, pos: number): number {
    const sig = b.readUInt32LE(pos);
    if (sig !== FRAME_SIGNATURE) {
      this.partial = Buffer.alloc(0);
      throw new FramingError(`bad frame signature 0x${sig.toString(16).padStart(8, '0')} (expected 0x00504144 "DAP\\0")`);
    }
    return b.readUInt16LE(pos + 4);
  }

  get pendingBytes(): number {
    return this.partial.length;
  }
}
