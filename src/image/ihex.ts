// An Intel HEX reader: record types 00 (data), 01 (end of file), 02 (extended segment
// address), 03 (start segment address), 04 (extended linear address) and 05 (start
// linear address), every record's checksum checked. Errors name the file and the line.
import { ImageError, mergeChunks, type ImageSegment } from './segments.js';

export interface IntelHex {
  segments: ImageSegment[];
  /** From a type 05 record (EIP), or a type 03 record (CS * 16 + IP). */
  entry?: number;
}

const HEX_DIGIT = /^[0-9a-fA-F]*$/;

/** Parse Intel HEX text; `file` names it in error messages. */
export function parseIntelHex(text: string, file = 'image.hex'): IntelHex {
  const fail = (line: number, msg: string): never => {
    throw new ImageError(file, `line ${line}: ${msg}`);
  };
  const chunks: { address: number; data: Uint8Array; line: number }[] = [];
  let base = 0; // from the last type 02 (segment * 16) or type 04 (upper 16 bits << 16)
  let segmentMode = false; // type 02 addresses wrap within their 64 KiB segment
  let entry: number | undefined;
  let eofLine = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i].trim();
    if (line === '') continue;
    if (eofLine) fail(n, `data after the end-of-file record on line ${eofLine}`);
    if (line[0] !== ':') fail(n, `expected a record starting with ':', found '${line.slice(0, 12)}${line.length > 12 ? '...' : ''}'; is this an Intel HEX file?`);
    const digits = line.slice(1);
    if (!HEX_DIGIT.test(digits)) {
      const bad = digits.search(/[^0-9a-fA-F]/);
      fail(n, `'${digits[bad]}' at column ${bad + 2} is not a hex digit`);
    }
    if (digits.length < 10) fail(n, `truncated record (${digits.length} hex digits; a record has at least 10)`);
    if (digits.length % 2 !== 0) fail(n, `odd number of hex digits (${digits.length}): the record is cut or has a stray character`);
    const bytes = new Uint8Array(digits.length / 2);
    for (let j = 0; j < bytes.length; j++) bytes[j] = parseInt(digits.substr(2 * j, 2), 16);
    const count = bytes[0];
    if (bytes.length < count + 5) fail(n, `truncated record: it says ${count} data bytes, so ${2 * count + 10} hex digits, but has ${digits.length}`);
    if (bytes.length > count + 5) fail(n, `record is ${bytes.length - count - 5} bytes longer than its byte count (${count}) says`);
    let sum = 0;
    for (const b of bytes) sum += b;
    if ((sum & 0xff) !== 0) {
      const expected = (0x100 - ((sum - bytes[bytes.length - 1]) & 0xff)) & 0xff;
      fail(n, `checksum 0x${hex2(bytes[bytes.length - 1])} is wrong (expected 0x${hex2(expected)}): the file is corrupt`);
    }
    const offset = (bytes[1] << 8) | bytes[2];
    const type = bytes[3];
    const data = bytes.subarray(4, 4 + count);
    const needLength = (len: number, what: string) => {
      if (count !== len) fail(n, `${what} record (type 0${type}) must have ${len} data bytes, has ${count}`);
    };
    switch (type) {
      case 0: {
        if (count === 0) break;
        if (segmentMode && offset + count > 0x10000) {
          // The offset wraps within the 64 KiB segment: split the record at the wrap.
          const first = 0x10000 - offset;
          chunks.push({ address: (base + offset) >>> 0, data: data.slice(0, first), line: n });
          chunks.push({ address: base >>> 0, data: data.slice(first), line: n });
        } else {
          const address = base + offset;
          if (address + count > 0x100000000) fail(n, `data at 0x${hex8(address)} (+${count}) runs past the end of the 32-bit address space`);
          chunks.push({ address: address >>> 0, data: data.slice(), line: n });
        }
        break;
      }
      case 1:
        needLength(0, 'end-of-file');
        eofLine = n;
        break;
      case 2:
        needLength(2, 'extended segment address');
        base = ((data[0] << 8) | data[1]) * 16;
        segmentMode = true;
        break;
      case 3:
        needLength(4, 'start segment address');
        entry = ((((data[0] << 8) | data[1]) * 16 + ((data[2] << 8) | data[3])) >>> 0);
        break;
      case 4:
        needLength(2, 'extended linear address');
        base = (((data[0] << 8) | data[1]) << 16) >>> 0;
        segmentMode = false;
        break;
      case 5:
        needLength(4, 'start linear address');
        entry = ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
        break;
      default:
        fail(n, `unknown record type 0x${hex2(type)} (Intel HEX has types 00 to 05)`);
    }
  }
  if (!eofLine) throw new ImageError(file, `no end-of-file record (:00000001FF) after line ${lines.length}: the file is truncated`);
  return { segments: mergeChunks(chunks, (a, b, at) => `lines ${a.line} and ${b.line} write different data at 0x${hex8(at)}`, file), ...(entry !== undefined ? { entry } : {}) };
}

const hex2 = (v: number) => v.toString(16).padStart(2, '0').toUpperCase();
const hex8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
