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

/** Splits a byte stream into frames. A bad signature cannot be resynchronised: it throws. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    let pos = 0;
    while (this.buf.length - pos >= FRAME_HEADER_BYTES) {
      const sig = this.buf.readUInt32LE(pos);
      if (sig !== FRAME_SIGNATURE) {
        this.buf = Buffer.alloc(0);
        throw new FramingError(`bad frame signature 0x${sig.toString(16).padStart(8, '0')} (expected 0x00504144 "DAP\\0")`);
      }
      const len = this.buf.readUInt16LE(pos + 4);
      if (this.buf.length - pos < FRAME_HEADER_BYTES + len) break;
      const type = this.buf[pos + 6];
      frames.push({ type, payload: new Uint8Array(this.buf.subarray(pos + FRAME_HEADER_BYTES, pos + FRAME_HEADER_BYTES + len)) });
      pos += FRAME_HEADER_BYTES + len;
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
    return frames;
  }

  get pendingBytes(): number {
    return this.buf.length;
  }
}
