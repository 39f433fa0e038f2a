// Hand-written chunks that fault or take an exception, for the chunk runner: the
// generator keeps its streams fault-free, so these cover exception entry from
// generated-code context (random registers and flags) and the runner's recovery path.
// Each is a few halfwords; the harness appends the jump to chunk_done.
import type { Chunk, ChunkInstruction } from './chunk-harness.js';

/** MOVW/MOVT rd, #imm32 (T3/T1). */
function mov32(rd: number, v: number): number[] {
  const enc = (top: number, imm16: number) => {
    const imm4 = (imm16 >>> 12) & 0xf, i = (imm16 >>> 11) & 1, imm3 = (imm16 >>> 8) & 7, imm8 = imm16 & 0xff;
    return [top | (i << 10) | imm4, (imm3 << 12) | (rd << 8) | imm8];
  };
  return [...enc(0xf240, v & 0xffff), ...enc(0xf2c0, v >>> 16)];
}

function chunk(parts: { hw: number[]; encoding: string; cls: string }[]): Chunk {
  const hws: number[] = [];
  const instructions: ChunkInstruction[] = [];
  for (const p of parts) {
    // MOVW+MOVT pairs are two instructions
    let k = 0;
    while (k < p.hw.length) {
      const size = p.hw[k] >= 0xe800 ? 4 : 2;
      instructions.push({ offset: hws.length * 2, size, encoding: p.encoding, cls: p.cls });
      hws.push(...p.hw.slice(k, k + size / 2));
      k += size / 2;
    }
  }
  const code = new Uint8Array(hws.length * 2);
  hws.forEach((h, n) => {
    code[2 * n] = h & 0xff;
    code[2 * n + 1] = h >>> 8;
  });
  return { code, instructions };
}

const setup = (rd: number, v: number) => ({ hw: mov32(rd, v), encoding: 'MOVW/MOVT (setup)', cls: 'move' });
const after = { hw: [0x2001, 0x3101], encoding: 'MOVS/ADDS (after the fault: not reached)', cls: 'move' }; // movs r0,#1; adds r1,#1

/** The faulting chunks, with what each exercises. */
export function faultChunks(dsp: boolean): { name: string; chunk: Chunk }[] {
  const list = [
    { name: 'UDF T1: UsageFault UNDEFINSTR', parts: [{ hw: [0xde42], encoding: 'UDF T1', cls: 'fault' }, after] },
    { name: 'UDF T2 (32-bit): UsageFault UNDEFINSTR', parts: [{ hw: [0xf7f1, 0xa234], encoding: 'UDF T2', cls: 'fault' }, after] },
    { name: 'SVC: handler returns, the chunk goes on', parts: [{ hw: [0xdf03], encoding: 'SVC T1', cls: 'exception' }, after] },
    { name: 'BKPT (not semihosting): HardFault DEBUGEVT', parts: [{ hw: [0xbe01], encoding: 'BKPT T1', cls: 'fault' }, after] },
    {
      name: 'LDRD from an unaligned address: UsageFault UNALIGNED',
      parts: [setup(1, 0x20101001), { hw: [0xe9d1, 0x2300], encoding: 'LDRD (immediate) T1', cls: 'fault' }, after],
    },
    {
      name: 'LDM from an unaligned address: UsageFault UNALIGNED',
      parts: [setup(1, 0x20101002), { hw: [0xe891, 0x000c], encoding: 'LDM T2', cls: 'fault' }, after],
    },
    {
      name: 'LDR from unmapped memory: precise BusFault',
      parts: [setup(1, 0x30000000), { hw: [0x680a], encoding: 'LDR (immediate) T1', cls: 'fault' }, after],
    },
    {
      name: 'BX to an even address: UsageFault INVSTATE',
      parts: [setup(1, 0x20101000), { hw: [0x4708], encoding: 'BX T1', cls: 'fault' }, after],
    },
    {
      name: 'MRC to a coprocessor: UsageFault NOCP',
      parts: [{ hw: [0xee10, 0x0f10], encoding: 'MRC T1', cls: 'fault' }, after],
    },
    {
      name: 'exception entry with an unaligned SP (STKALIGN realigns the frame)',
      parts: [setup(1, 0x2010bff4), { hw: [0x468d], encoding: 'MOV (register) T1 to SP', cls: 'move' }, { hw: [0xdf05], encoding: 'SVC T1', cls: 'exception' }, after],
    },
  ];
  void dsp;
  return list.map((l) => ({ name: l.name, chunk: chunk(l.parts) }));
}
