// Writes a minimal ELF32 ARM file holding one loadable data section, so the benchmark
// can `load` an image of any size without a compiler: ELF header, one PT_LOAD program
// header, and the section headers gdb's BFD needs (null, .data, .shstrtab).

export function makeDataElf(address: number, data: Uint8Array): Buffer {
  const shstrtab = Buffer.from('\0.data\0.shstrtab\0', 'latin1');
  const EH = 52;
  const PH = 32;
  const SH = 40;
  const dataOff = 0x1000; // page-aligned so the segment's offset and address agree mod 4K
  const strOff = dataOff + data.length;
  const shOff = (strOff + shstrtab.length + 3) & ~3;
  const out = Buffer.alloc(shOff + 3 * SH);
  // e_ident: ELFCLASS32, ELFDATA2LSB, EV_CURRENT
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0], 0);
  out.writeUInt16LE(2, 16); // ET_EXEC
  out.writeUInt16LE(40, 18); // EM_ARM
  out.writeUInt32LE(1, 20); // EV_CURRENT
  out.writeUInt32LE(address >>> 0, 24); // e_entry (never run)
  out.writeUInt32LE(EH, 28); // e_phoff
  out.writeUInt32LE(shOff, 32); // e_shoff
  out.writeUInt32LE(0x05000200, 36); // EABI5, soft float
  out.writeUInt16LE(EH, 40);
  out.writeUInt16LE(PH, 42);
  out.writeUInt16LE(1, 44);
  out.writeUInt16LE(SH, 46);
  out.writeUInt16LE(3, 48);
  out.writeUInt16LE(2, 50); // e_shstrndx
  // PT_LOAD
  const ph = EH;
  out.writeUInt32LE(1, ph);
  out.writeUInt32LE(dataOff, ph + 4);
  out.writeUInt32LE(address >>> 0, ph + 8);
  out.writeUInt32LE(address >>> 0, ph + 12);
  out.writeUInt32LE(data.length, ph + 16);
  out.writeUInt32LE(data.length, ph + 20);
  out.writeUInt32LE(6, ph + 24); // RW
  out.writeUInt32LE(0x1000, ph + 28);
  out.set(data, dataOff);
  out.set(shstrtab, strOff);
  // .data: SHT_PROGBITS, SHF_WRITE|SHF_ALLOC
  const s1 = shOff + SH;
  out.writeUInt32LE(1, s1);
  out.writeUInt32LE(1, s1 + 4);
  out.writeUInt32LE(3, s1 + 8);
  out.writeUInt32LE(address >>> 0, s1 + 12);
  out.writeUInt32LE(dataOff, s1 + 16);
  out.writeUInt32LE(data.length, s1 + 20);
  out.writeUInt32LE(4, s1 + 32);
  // .shstrtab: SHT_STRTAB
  const s2 = shOff + 2 * SH;
  out.writeUInt32LE(7, s2);
  out.writeUInt32LE(3, s2 + 4);
  out.writeUInt32LE(strOff, s2 + 16);
  out.writeUInt32LE(shstrtab.length, s2 + 20);
  out.writeUInt32LE(1, s2 + 32);
  return out;
}
