// The ITM/DWT trace packet stream that comes out of the SWO pin (ARMv7-M ARM, appendix
// "ITM and DWT Packet Protocol"), decoded incrementally: bytes arrive in whatever pieces
// the probe hands over, so a packet may be split across pushes.

export type ItmPacket =
  /** A stimulus port write (software source): `size` bytes of `value`. */
  | { kind: 'instrumentation'; port: number; value: number; size: 1 | 2 | 4 }
  /** A DWT (hardware source) packet: discriminator id and payload. */
  | { kind: 'hardware'; id: number; value: number; size: 1 | 2 | 4 }
  /** Packets were lost in the target's ITM FIFO. */
  | { kind: 'overflow' }
  /** A synchronisation packet (at least 47 zero bits, then a one). */
  | { kind: 'sync' }
  /** Local timestamp: cycles since the previous one (`tc`: its relation to the data). */
  | { kind: 'local-timestamp'; delta: number; tc: number }
  /** Global timestamp, its low (1) or high (2) part. */
  | { kind: 'global-timestamp'; part: 1 | 2; value: number }
  /** Extension packet (e.g. the stimulus port page). */
  | { kind: 'extension'; sh: number; value: number }
  /** A byte that starts no known packet (line noise, or a stream joined mid-packet). */
  | { kind: 'unknown'; byte: number };

const SIZE = [0, 1, 2, 4] as const;

export class ItmDecoder {
  /** Bytes of the packet being collected (header first). */
  private pending: number[] = [];
  /** Bytes still needed for a source packet's payload (0: not in one). */
  private need = 0;
  /** Zero bytes seen in a row (a sync packet's start). */
  private zeros = 0;
  /** Packets counted by kind, for status lines and tests. */
  readonly counts = { packets: 0, overflows: 0, unknown: 0 };

  /** Decode `bytes`; returns the packets completed by them. */
  push(bytes: Uint8Array): ItmPacket[] {
    const out: ItmPacket[] = [];
    for (const b of bytes) {
      const p = this.byte(b);
      if (p) {
        this.counts.packets++;
        if (p.kind === 'overflow') this.counts.overflows++;
        if (p.kind === 'unknown') this.counts.unknown++;
        out.push(p);
      }
    }
    return out;
  }

  private byte(b: number): ItmPacket | null {
    const pk = this.pending;
    if (this.need > 0) {
      pk.push(b);
      if (--this.need > 0) return null;
      return this.sourcePacket();
    }
    if (pk.length > 0) {
      // A continuation-coded packet (timestamps, extension): bit 7 says more follow.
      pk.push(b);
      if (b & 0x80 && pk.length < 5) return null;
      return this.continued();
    }
    if (b === 0) {
      this.zeros++;
      return null;
    }
    if (this.zeros > 0) {
      const wasSync = this.zeros >= 5 && b === 0x80;
      this.zeros = 0;
      if (wasSync) return { kind: 'sync' };
      // Zeros that were not a sync packet carried nothing; go on with this byte.
    }
    if (b === 0x70) return { kind: 'overflow' };
    if (b & 3) {
      pk.push(b);
      this.need = SIZE[b & 3];
      return null;
    }
    if ((b & 0x0f) === 0 && !(b & 0x80)) {
      // Local timestamp, one byte: TS in bits 6:4, tc 0.
      return { kind: 'local-timestamp', delta: (b >>> 4) & 7, tc: 0 };
    }
    if ((b & 0x0f) === 0 || (b & 0xdf) === 0x94 || (b & 0x0b) === 0x08) {
      pk.push(b);
      if ((b & 0x0b) === 0x08 && !(b & 0x80)) return this.continued(); // one-byte extension
      return null;
    }
    return { kind: 'unknown', byte: b };
  }

  private sourcePacket(): ItmPacket {
    const pk = this.pending;
    this.pending = [];
    const h = pk[0];
    let v = 0;
    for (let i = pk.length - 1; i >= 1; i--) v = v * 256 + pk[i];
    const size = SIZE[h & 3] as 1 | 2 | 4;
    if (h & 4) return { kind: 'hardware', id: h >>> 3, value: v >>> 0, size };
    return { kind: 'instrumentation', port: h >>> 3, value: v >>> 0, size };
  }

  /** A header with continuation bytes after it: 7 payload bits per byte, little end first. */
  private continued(): ItmPacket {
    const pk = this.pending;
    this.pending = [];
    const h = pk[0];
    let v = 0;
    for (let i = pk.length - 1; i >= 1; i--) v = v * 128 + (pk[i] & 0x7f);
    if ((h & 0xdf) === 0x94) return { kind: 'global-timestamp', part: h & 0x20 ? 2 : 1, value: v };
    if ((h & 0x0b) === 0x08) return { kind: 'extension', sh: (h >>> 2) & 1, value: ((v << 3) | ((h >>> 4) & 7)) >>> 0 };
    return { kind: 'local-timestamp', delta: v, tc: (h >>> 4) & 3 };
  }
}

/**
 * The text a stimulus port carries: the bytes of its packets, little-endian, as many as
 * each write's size (a word write of "abcd" is four characters).
 */
export function stimulusBytes(p: { value: number; size: number }): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.size; i++) out.push((p.value >>> (8 * i)) & 0xff);
  return out;
}
