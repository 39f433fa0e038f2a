// Hex encoding as the remote protocol uses it, with strict parsing: anything that is
// not hex makes the parser return null so the server can answer `E NN` instead of
// acting on garbage.

export function toHex(bytes: Uint8Array): string {
  // Node's hex codec is native: much faster than building the string in JS for 8 KiB reads.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX_ONLY = /^(?:[0-9a-fA-F]{2})*$/;

/** Parses an even-length hex string into bytes; null on any bad character. */
export function fromHex(s: string): Uint8Array | null {
  if (!HEX_ONLY.test(s)) return null;
  const b = Buffer.from(s, 'hex');
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** A hex number as in `m ADDR,LEN`: 1-8 digits, result unsigned 32-bit; null if bad. */
export function parseHex32(s: string): number | null {
  if (s.length === 0 || s.length > 16) return null;
  // gdb sends at most 8 significant digits for a 32-bit target, but may zero-pad.
  let v = 0;
  let significant = 0;
  for (let i = 0; i < s.length; i++) {
    const n = nibble(s.charCodeAt(i));
    if (n < 0) return null;
    if (significant > 0 || n !== 0) significant++;
    if (significant > 8) return null;
    v = v * 16 + n;
  }
  return v >>> 0;
}

/** A 32-bit value as 8 hex digits, little-endian byte order (register layout). */
export function u32leHex(v: number): string {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return toHex(b);
}

export function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/** Text to hex (O packets, qRcmd output). */
export function textToHex(text: string): string {
  return toHex(new TextEncoder().encode(text));
}

export function hexToText(hex: string): string | null {
  const b = fromHex(hex);
  return b === null ? null : new TextDecoder().decode(b);
}

/** Little-endian bytes to an unsigned number (up to 6 bytes exact) . */
export function leBytesToNumber(b: Uint8Array): number {
  let v = 0;
  for (let i = Math.min(b.length, 6) - 1; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}

export function numberToLeBytes(v: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = v;
  for (let i = 0; i < size; i++) {
    out[i] = x & 0xff;
    x = Math.floor(x / 256);
  }
  return out;
}
