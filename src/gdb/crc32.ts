// The CRC gdb's compare-sections (qCRC) expects: CRC-32 with polynomial 0x04C11DB7,
// processed MSB first (not reflected), initial value 0xFFFFFFFF, no final XOR.
// A 256-entry table makes a 1 MiB image take a few milliseconds.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export const CRC32_INIT = 0xffffffff;

/** Continue a CRC over `data`; start with CRC32_INIT. */
export function crc32Update(crc: number, data: Uint8Array): number {
  let c = crc >>> 0;
  for (let i = 0; i < data.length; i++) c = ((c << 8) ^ TABLE[((c >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
  return c >>> 0;
}

export function gdbCrc32(data: Uint8Array): number {
  return crc32Update(CRC32_INIT, data);
}
