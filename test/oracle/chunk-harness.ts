// Differential test (b): generated instruction chunks, run in batches by the chunk
// runner firmware (firmware/src/chunk-runner.c) on QEMU and on the simulator.
//
// A batch is one QEMU launch (start-up costs ~100 ms, so many chunks share one):
//  - a table blob at CHUNK_TABLE: header, one entry per chunk (r0-r12 and LR seeded
//    random, SP = the generator's STACK_INIT, random N Z C V Q (and GE on DSP cores),
//    the entry address), then each chunk's code followed by `ldr.w pc, [pc, #0]` and
//    the address of chunk_done (loaded with QEMU's -device loader / a bus load);
//  - the initial scratch memory (0x20100000..0x2010ffff), seeded random;
//  - after each chunk the runner writes the scratch memory to chunk-memory.bin through
//    semihosting, on both sides, and the files are compared chunk by chunk.
// Registers that the generator marks UNKNOWN after an instruction (unknownMask) take
// QEMU's value on the simulator right after that instruction, so the comparison goes
// on with everything else exact; the number of such adoptions is reported.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQemuTrace } from './qemu-trace.js';
import { runSimTrace } from './sim-trace.js';
import { compareTraces, symbolizer, type CompareResult } from './compare.js';
import { firmwarePath, symbolsOf } from './firmware-paths.js';
import { hex8 } from './trace.js';

export const CHUNK_TABLE = 0x00200000;
export const CHUNK_MAGIC = 0x4b4e4843; // "CHNK"
export const SCRATCH_BASE = 0x20100000;
export const SCRATCH_SIZE = 0x10000;
const HEADER_BYTES = 16;
const ENTRY_WORDS = 20;
const FLAG_DUMP_MEMORY = 1;
// What the generator assumes at chunk entry (test/oracle/generator/builder.ts).
const STACK_INIT = 0x2010c000;

export interface ChunkInstruction {
  offset: number;
  size: number;
  encoding: string;
  cls: string;
  /** Bit n: register n is UNKNOWN after the instruction; bit 16: the flags N Z C V. */
  unknownMask?: number;
}

export interface Chunk {
  code: Uint8Array;
  instructions: ChunkInstruction[];
}

/** A small seeded PRNG (xorshift32) for register and memory values. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export interface Batch {
  table: Uint8Array;
  scratch: Uint8Array;
  /** Instruction address -> what the generator says about it. */
  at: Map<number, ChunkInstruction>;
  /** Per chunk: where its code is. */
  placed: { start: number; end: number }[];
}

/** Lay the chunks out behind a table the runner reads. */
export function buildBatch(chunks: Chunk[], seed: number, chunkDone: number, dsp: boolean): Batch {
  const rand = xorshift(seed);
  let size = HEADER_BYTES + chunks.length * ENTRY_WORDS * 4;
  const placed: { start: number; end: number }[] = [];
  for (const c of chunks) {
    size = (size + 3) & ~3;
    const start = CHUNK_TABLE + size;
    const codeLen = (c.code.length + 3) & ~3; // a NOP pads to a word boundary
    placed.push({ start, end: start + codeLen + 8 });
    size += codeLen + 8;
  }
  const table = new Uint8Array(size);
  const view = new DataView(table.buffer);
  view.setUint32(0, CHUNK_MAGIC, true);
  view.setUint32(4, chunks.length, true);
  const at = new Map<number, ChunkInstruction>();
  chunks.forEach((c, n) => {
    const { start } = placed[n];
    const e = HEADER_BYTES + n * ENTRY_WORDS * 4;
    for (let r = 0; r < 13; r++) view.setUint32(e + 4 * r, rand(), true);
    view.setUint32(e + 13 * 4, (start | 1) >>> 0, true);
    view.setUint32(e + 14 * 4, STACK_INIT, true);
    view.setUint32(e + 15 * 4, rand(), true);
    const flagsMask = dsp ? 0xf80f0000 : 0xf8000000; // N Z C V Q (+ GE[3:0])
    view.setUint32(e + 16 * 4, (rand() & flagsMask) >>> 0, true);
    view.setUint32(e + 17 * 4, FLAG_DUMP_MEMORY, true);
    const off = start - CHUNK_TABLE;
    table.set(c.code, off);
    let end = off + c.code.length;
    if (end & 2) {
      view.setUint16(end, 0xbf00, true); // NOP
      end += 2;
    }
    view.setUint16(end, 0xf8df, true); // LDR.W PC, [PC, #0]: the literal follows
    view.setUint16(end + 2, 0xf000, true);
    view.setUint32(end + 4, (chunkDone | 1) >>> 0, true);
    for (const ins of c.instructions) at.set(start + ins.offset, ins);
  });
  const scratch = new Uint8Array(SCRATCH_SIZE);
  const words = new Uint32Array(scratch.buffer);
  for (let k = 0; k < words.length; k++) words[k] = rand();
  return { table, scratch, at, placed };
}

export interface BatchResult {
  compare: CompareResult;
  /** First chunk whose scratch memory differs afterwards, with the first differing word. */
  memoryDivergence?: string;
  /** States compared that were chunk instructions, per class and per encoding. */
  classCounts: Map<string, number>;
  encodingCounts: Map<string, number>;
  chunkInstructionsCompared: number;
  /** Registers given QEMU's value because the generator marked them UNKNOWN. */
  adopted: number;
  qemuStates: number;
  problems: string[];
}

/** Run one batch on QEMU and on the simulator and compare. */
export interface BatchOptions {
  dsp: boolean;
  timeoutMs?: number;
  /** For the harness's own test: give the simulator a different start, to check that
   * the comparison notices ('register': chunk 0's r5; 'memory': a scratch word no
   * chunk reads, so only the memory comparison can see it). */
  sabotage?: 'register' | 'memory';
}

export async function runBatch(board: string, chunks: Chunk[], seed: number, opts: BatchOptions): Promise<BatchResult> {
  const elf = firmwarePath(board, 'chunk-runner.elf');
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-chunks-'));
  const qemuDir = join(dir, 'qemu');
  const simDir = join(dir, 'sim');
  const problems: string[] = [];
  try {
    const chunkDone = symbolsOf(elf).find((s) => s.name === 'chunk_done')?.value;
    if (chunkDone === undefined) throw new Error('chunk-runner.elf has no chunk_done');
    const batch = buildBatch(chunks, seed, chunkDone & ~1, opts.dsp);
    const tableFile = join(dir, 'table.bin');
    const scratchFile = join(dir, 'scratch.bin');
    writeFileSync(tableFile, batch.table);
    writeFileSync(scratchFile, batch.scratch);
    mkdirs(qemuDir, simDir);

    const q = await runQemuTrace({
      board,
      elf,
      cwd: qemuDir,
      timeoutMs: opts.timeoutMs ?? 120_000,
      loaders: [
        { file: tableFile, addr: CHUNK_TABLE },
        { file: scratchFile, addr: SCRATCH_BASE },
      ],
    });
    if (q.timedOut) problems.push('QEMU timed out');
    if (q.status !== 0) problems.push(`the chunk runner exited with status ${q.status} on QEMU: ${q.semihosting}${q.stderr}`);

    let adopted = 0;
    const qt = q.trace;
    const simTable = batch.table.slice();
    const simScratch = batch.scratch.slice();
    if (opts.sabotage === 'register') new DataView(simTable.buffer).setUint32(HEADER_BYTES + 5 * 4, 0x5ab07a9e ^ simTable[HEADER_BYTES + 20], true);
    if (opts.sabotage === 'memory') simScratch[SCRATCH_SIZE - 4] ^= 0x40; // above the generator's stack window
    const s = runSimTrace({
      board,
      elf,
      maxStates: qt.count + 1000,
      semihostingDir: simDir,
      loaders: [
        { data: simTable, addr: CHUNK_TABLE },
        { data: simScratch, addr: SCRATCH_BASE },
      ],
      afterStep: (b, next, st) => {
        // The instruction just executed is the one recorded as state next - 1.
        const ins = batch.at.get(st.pc(next - 1));
        if (!ins?.unknownMask || next >= qt.count) return false;
        const cpu = b.cpu;
        for (let r = 0; r < 15; r++) {
          if (ins.unknownMask & (1 << r)) {
            cpu.writeCoreReg(r, qt.get(next, r));
            adopted++;
          }
        }
        if (ins.unknownMask & (1 << 16)) {
          const flags = 0xf8000000;
          cpu.writeCoreReg(16, ((cpu.readCoreReg(16) & ~flags) | (qt.xpsr(next) & flags)) >>> 0);
          adopted++;
        }
        return true;
      },
    });
    if (s.end !== 'exit') problems.push(`the simulator ended with ${s.end}: ${s.message ?? ''}`);

    const compare = compareTraces(qt, s.trace, {
      fetch16: (a) => s.board.bus.read16(a),
      symbolize: (() => {
        const sym = symbolizer(s.image.symbols);
        return (a: number) => {
          const n = batch.placed.findIndex((p) => a >= p.start && a < p.end);
          if (n < 0) return sym(a);
          const ins = batch.at.get(a);
          const where = `chunk ${n} of the batch +0x${(a - batch.placed[n].start).toString(16)}`;
          return ins ? `${where}: ${ins.encoding} (${ins.cls})` : `${where}: epilogue`;
        };
      })(),
    });

    const classCounts = new Map<string, number>();
    const encodingCounts = new Map<string, number>();
    let chunkInstructionsCompared = 0;
    for (let k = 0; k < compare.compared + compare.opaqueSkipped && k < qt.count; k++) {
      const ins = batch.at.get(qt.pc(k));
      if (!ins) continue;
      chunkInstructionsCompared++;
      classCounts.set(ins.cls, (classCounts.get(ins.cls) ?? 0) + 1);
      encodingCounts.set(ins.encoding, (encodingCounts.get(ins.encoding) ?? 0) + 1);
    }

    const memoryDivergence = compareDumps(join(qemuDir, 'chunk-memory.bin'), join(simDir, 'chunk-memory.bin'), chunks.length);
    return { compare, memoryDivergence, classCounts, encodingCounts, chunkInstructionsCompared, adopted, qemuStates: qt.count, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function mkdirs(...dirs: string[]): void {
  for (const d of dirs) mkdirSync(d, { recursive: true });
}

/** Compare the two runs' scratch dumps, one 64 KiB block per chunk. */
function compareDumps(qemuFile: string, simFile: string, chunks: number): string | undefined {
  let a: Buffer, b: Buffer;
  try {
    a = readFileSync(qemuFile);
  } catch {
    return 'QEMU wrote no chunk-memory.bin';
  }
  try {
    b = readFileSync(simFile);
  } catch {
    return 'the simulator wrote no chunk-memory.bin (semihosting SYS_OPEN/SYS_WRITE)';
  }
  const n = Math.min(a.length, b.length);
  for (let off = 0; off < n; off += 4) {
    if (a.readUInt32LE(off) !== b.readUInt32LE(off)) {
      const chunk = Math.floor(off / SCRATCH_SIZE);
      const addr = SCRATCH_BASE + (off % SCRATCH_SIZE);
      return `scratch memory differs after chunk ${chunk}: word at 0x${hex8(addr)} is 0x${hex8(a.readUInt32LE(off))} on QEMU, 0x${hex8(b.readUInt32LE(off))} on the simulator`;
    }
  }
  if (a.length !== b.length || a.length !== chunks * SCRATCH_SIZE) {
    return `memory dumps have ${a.length} (QEMU) and ${b.length} (simulator) bytes; expected ${chunks * SCRATCH_SIZE}`;
  }
  return undefined;
}
