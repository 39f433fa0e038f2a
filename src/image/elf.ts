// A small reader for ELF32 little-endian ARM executables: what a loader and a
// debugger need (loadable segments, sections, symbols, entry point), with errors
// that say what is wrong with the file instead of a RangeError deep inside.

export class ElfError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ElfError';
  }
}

export const EM_ARM = 40;
export const PT_LOAD = 1;
export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHF_ALLOC = 2;

/** Machine numbers people are likely to hand us by mistake, for the error message. */
const MACHINE_NAMES: Record<number, string> = {
  0: 'no machine',
  2: 'SPARC',
  3: 'x86 (i386)',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  40: 'ARM',
  42: 'SuperH',
  50: 'IA-64',
  62: 'x86-64',
  83: 'AVR',
  94: 'Xtensa',
  183: 'AArch64',
  243: 'RISC-V',
};

export interface ElfSegment {
  type: number;
  /** Address the CPU sees the segment at. */
  vaddr: number;
  /** Load address (LMA): where the bytes go in the target's memory. */
  paddr: number;
  /** The bytes present in the file; memsz - filesz more bytes are zero-filled. */
  data: Uint8Array;
  memsz: number;
  flags: number;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_* (low nibble of st_info): 0 NOTYPE, 1 OBJECT, 2 FUNC, 3 SECTION, 4 FILE. */
  type: number;
  /** STB_* (high nibble): 0 LOCAL, 1 GLOBAL, 2 WEAK. */
  bind: number;
  shndx: number;
}

export interface ElfImage {
  file: string;
  entry: number;
  machine: number;
  /** e_flags (EABI version, float ABI). */
  flags: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** Address of a symbol by name (first global, else first local), or undefined. */
  symbol(name: string): number | undefined;
  /**
   * The PT_LOAD segments as (load address, bytes) chunks, zero fill included: what QEMU's
   * ELF loader puts in memory (the simulated boards load firmware this way). A flasher
   * wants only the file bytes (gdb `load`, OpenOCD): see readImage in image.ts.
   */
  loadChunks(): { addr: number; data: Uint8Array }[];
}

/** Parse an ELF file's bytes; `file` names it in error messages. */
export function parseElf(bytes: Uint8Array, file = 'image'): ElfImage {
  const fail = (msg: string): never => {
    throw new ElfError(file, msg);
  };
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail('not an ELF file (no \\x7fELF magic); give the linker output (.elf), not a .bin or .hex');
  }
  if (bytes.length < 52) fail(`truncated ELF header (${bytes.length} bytes, need 52)`);
  if (bytes[4] !== 1) fail(`ELF class ${bytes[4] === 2 ? '64-bit' : bytes[4]} is not supported; a Cortex-M image is a 32-bit ELF (ELFCLASS32)`);
  if (bytes[5] !== 1) fail(`ELF data encoding ${bytes[5] === 2 ? 'big-endian' : bytes[5]} is not supported; Cortex-M images are little-endian`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);

  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_ARM) {
    const what = MACHINE_NAMES[machine] ?? `machine ${machine}`;
    fail(`built for ${what} (e_machine ${machine}), not ARM (40); build it with arm-none-eabi-gcc for a Cortex-M`);
  }
  if (type !== 2 && type !== 3) fail(`ELF type ${type === 1 ? 'relocatable (.o)' : type} is not an executable; link it first`);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const flags = u32(36);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);

  const inFile = (off: number, len: number, what: string) => {
    if (off + len > bytes.length) fail(`truncated or corrupt: ${what} at file offset 0x${off.toString(16)} (+${len}) is past the end of the file (${bytes.length} bytes)`);
  };

  // Program headers: what a loader puts in memory.
  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < 32) fail(`program header entry size ${phentsize} is too small (need 32)`);
    inFile(phoff, phnum * phentsize, `program header table (${phnum} entries)`);
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      const ptype = u32(o);
      const offset = u32(o + 4);
      const vaddr = u32(o + 8);
      const paddr = u32(o + 12);
      const filesz = u32(o + 16);
      const memsz = u32(o + 20);
      const pflags = u32(o + 24);
      if (ptype !== PT_LOAD) continue;
      inFile(offset, filesz, `segment ${i} (${filesz} bytes)`);
      if (memsz < filesz) fail(`segment ${i} has memsz ${memsz} smaller than filesz ${filesz}`);
      segments.push({ type: ptype, vaddr, paddr, data: bytes.subarray(offset, offset + filesz), memsz, flags: pflags });
    }
  }

  // Section headers: names and the symbol table (optional in a stripped file).
  const sections: ElfSection[] = [];
  const symbols: ElfSymbol[] = [];
  if (shnum > 0 && shoff !== 0) {
    if (shentsize < 40) fail(`section header entry size ${shentsize} is too small (need 40)`);
    inFile(shoff, shnum * shentsize, `section header table (${shnum} entries)`);
    const raw: { name: number; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number }[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push({
        name: u32(o), type: u32(o + 4), flags: u32(o + 8), addr: u32(o + 12),
        offset: u32(o + 16), size: u32(o + 20), link: u32(o + 24), entsize: u32(o + 36),
      });
    }
    const strtab = (index: number, what: string) => {
      if (index >= raw.length) fail(`${what} refers to section ${index}, but there are only ${raw.length}`);
      const s = raw[index];
      inFile(s.offset, s.size, `string table (section ${index})`);
      return bytes.subarray(s.offset, s.offset + s.size);
    };
    const cstr = (tab: Uint8Array, at: number) => {
      if (at >= tab.length) return '';
      let end = at;
      while (end < tab.length && tab[end] !== 0) end++;
      return new TextDecoder().decode(tab.subarray(at, end));
    };
    const names = shstrndx !== 0 ? strtab(shstrndx, 'e_shstrndx') : new Uint8Array(0);
    for (const s of raw) {
      sections.push({ name: cstr(names, s.name), type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size });
    }
    raw.forEach((s, i) => {
      if (s.type !== SHT_SYMTAB) return;
      inFile(s.offset, s.size, `symbol table (section ${i})`);
      const strs = strtab(s.link, `symbol table (section ${i})`);
      const ent = s.entsize || 16;
      for (let o = s.offset; o + 16 <= s.offset + s.size; o += ent) {
        const info = bytes[o + 12];
        symbols.push({
          name: cstr(strs, u32(o)), value: u32(o + 4), size: u32(o + 8),
          type: info & 0xf, bind: info >> 4, shndx: u16(o + 14),
        });
      }
    });
  }

  // Globals win over locals of the same name (static functions in several files).
  const byName = new Map<string, number>();
  for (const global of [true, false]) {
    for (const s of symbols) {
      if (!s.name || s.type === 3 || s.type === 4 || (s.bind !== 0) !== global) continue;
      if (!byName.has(s.name)) byName.set(s.name, s.value);
    }
  }

  return {
    file, entry, machine, flags, segments, sections, symbols,
    symbol: (name) => byName.get(name),
    loadChunks() {
      const chunks: { addr: number; data: Uint8Array }[] = [];
      for (const seg of segments) {
        if (seg.memsz === 0) continue;
        const data = new Uint8Array(seg.memsz); // zero fill past filesz (.bss)
        data.set(seg.data);
        chunks.push({ addr: seg.paddr, data });
      }
      return chunks;
    },
  };
}
