// One way in for every image a user hands to a flasher: ELF, Intel HEX or a raw binary,
// chosen by the file's magic and extension, reduced to (address, bytes) segments.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseElf } from './elf.js';
import { parseIntelHex } from './ihex.js';
import { ImageError, mergeChunks, imageSize, type ImageSegment } from './segments.js';

export { ImageError, imageSize, type ImageSegment } from './segments.js';

export type ImageFormat = 'elf' | 'ihex' | 'bin';

export interface Image {
  file: string;
  format: ImageFormat;
  /** Sorted by address, not overlapping. */
  segments: ImageSegment[];
  /** The entry point, when the format carries one (ELF e_entry, HEX type 03/05). */
  entry?: number;
}

export interface ReadImageOptions {
  /** Where a raw binary goes (`--addr`); not allowed for ELF and HEX, which carry addresses. */
  addr?: number;
  /** Where a raw binary goes when `addr` is not given (the flash start). */
  defaultAddr?: number;
  /** Skip detection. */
  format?: ImageFormat;
}

const HEX_EXTENSIONS = new Set(['.hex', '.ihex', '.ihx', '.h86', '.mcs']);
const BIN_EXTENSIONS = new Set(['.bin', '.img', '.raw']);

/** Read and parse an image file. Throws ImageError (or ElfError) naming the file. */
export function readImage(file: string, opts: ReadImageOptions = {}): Image {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message);
  }
  return parseImage(bytes, file, opts);
}

/** Which format a file is: ELF by its magic, HEX by extension or a leading ':', binary by extension. */
export function detectFormat(bytes: Uint8Array, file: string): ImageFormat {
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) return 'elf';
  const ext = extname(file).toLowerCase();
  if (ext === '.elf' || ext === '.axf' || ext === '.out') return 'elf'; // parseElf names what is wrong
  if (HEX_EXTENSIONS.has(ext)) return 'ihex';
  if (BIN_EXTENSIONS.has(ext)) return 'bin';
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d || bytes[i] === 0x0a)) i++;
  if (bytes[i] === 0x3a /* ':' */) return 'ihex';
  throw new ImageError(file, `cannot tell the image format: not ELF (no \\x7fELF magic), not Intel HEX (does not start with ':'); name a raw binary *.bin or give the format`);
}

export function parseImage(bytes: Uint8Array, file: string, opts: ReadImageOptions = {}): Image {
  const format = opts.format ?? detectFormat(bytes, file);
  if (format !== 'bin' && opts.addr !== undefined) {
    throw new ImageError(file, `an ${format === 'elf' ? 'ELF' : 'Intel HEX'} image carries its own addresses; --addr is for raw binaries`);
  }
  switch (format) {
    case 'elf': {
      const elf = parseElf(bytes, file);
      // As gdb's `load` and OpenOCD do: the bytes in the file (p_filesz) at the load
      // address (p_paddr, the LMA). .data goes to flash after .text; .bss (no file bytes)
      // is the startup code's to clear, not the flasher's.
      const chunks = elf.segments.filter((s) => s.data.length > 0).map((s) => ({ address: s.paddr >>> 0, data: s.data }));
      const segments = mergeChunks(chunks, (_a, _b, at) => `two loadable segments overlap at 0x${at.toString(16).padStart(8, '0')} with different data`, file);
      if (segments.length === 0) throw new ImageError(file, 'no loadable bytes (no PT_LOAD segment with file contents); is it a linked firmware image?');
      return { file, format, segments, entry: elf.entry >>> 0 };
    }
    case 'ihex': {
      // Latin-1 so that a stray binary byte shows up as a character in the error, never throws.
      const hex = parseIntelHex(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'), file);
      if (hex.segments.length === 0) throw new ImageError(file, 'no data records: nothing to program');
      return { file, format, segments: hex.segments, ...(hex.entry !== undefined ? { entry: hex.entry } : {}) };
    }
    case 'bin': {
      const address = opts.addr ?? opts.defaultAddr;
      if (address === undefined) throw new ImageError(file, 'a raw binary has no address: give one with --addr');
      if (bytes.length === 0) throw new ImageError(file, 'the file is empty: nothing to program');
      if (address + bytes.length > 0x100000000) throw new ImageError(file, `${bytes.length} bytes at 0x${(address >>> 0).toString(16)} run past the end of the 32-bit address space`);
      return { file, format, segments: [{ address: address >>> 0, data: bytes }] };
    }
  }
}

/** "3 segments, 1234 bytes: 0x08000000-0x080004d1, ..." */
export function describeImage(image: Image): string {
  const ranges = image.segments.map((s) => `0x${hex8(s.address)}-0x${hex8(s.address + s.data.length - 1)}`);
  return `${image.format === 'ihex' ? 'Intel HEX' : image.format === 'elf' ? 'ELF' : 'binary'}, ${imageSize(image.segments)} bytes in ${image.segments.length} segment${image.segments.length === 1 ? '' : 's'} (${ranges.slice(0, 4).join(', ')}${ranges.length > 4 ? ', ...' : ''})`;
}

const hex8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
