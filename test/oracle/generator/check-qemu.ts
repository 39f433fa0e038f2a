// Dev-time check (not a test: it needs qemu-system-arm): runs generated chunks on QEMU's
// mps2-an386 (Cortex-M4) and checks that each one runs to its end without a fault, and
// that every DSP instruction QEMU executed gives the same result in our DSP handlers.
// The differential test proper (every instruction, the whole simulator) lives elsewhere.
//   node dist/test/oracle/generator/check-qemu.js [chunks] [count] [seed] [board]

import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateChunk, type GeneratedChunk } from './generate.js';
import { dspEncodings, type DspCpu } from '../../../src/sim/cpu/isa/dsp.js';

const chunks = Number(process.argv[2] ?? 10);
const count = Number(process.argv[3] ?? 300);
const seed0 = Number(process.argv[4] ?? 1);
const board = process.argv[5] ?? 'mps2-an386';
const dsp = board !== 'mps2-an385';
/** 'dsp': only DSP instructions (and operand values), to check our DSP handlers hard. */
const focus = process.argv[6];
const only = focus === 'dsp' ? (s: { name: string; cls: string }) => s.cls.startsWith('dsp') || s.name === 'MOVT T1' || s.name === 'MSR T1' : undefined;
const CODE = 0x100;

/** A raw image: vectors (faults exit with status 1), the chunk, then SYS_EXIT(0). */
function image(chunk: GeneratedChunk): Buffer {
  const img = Buffer.alloc(CODE + chunk.code.length + 64);
  img.writeUInt32LE(0x20008000, 0);
  img.writeUInt32LE(CODE + 1, 4);
  const fault = 0x80;
  for (let v = 2; v < 16; v++) img.writeUInt32LE(fault + 1, v * 4);
  // fault: movs r0, #0x18; ldr r1, [pc, #4]; bkpt 0xab; b .; .word 0x20024 (run-time error)
  [0x2018, 0x4901, 0xbeab, 0xe7fe].forEach((h, k) => img.writeUInt16LE(h, fault + 2 * k));
  img.writeUInt32LE(0x20024, fault + 8);
  img.set(chunk.code, CODE);
  let end = CODE + chunk.code.length;
  end += end & 2; // the exit sequence needs a word-aligned literal
  [0x2018, 0x4901, 0xbeab, 0xe7fe].forEach((h, k) => img.writeUInt16LE(h, end + 2 * k));
  img.writeUInt32LE(0x20026, end + 8);
  if ((CODE + chunk.code.length) & 2) img.writeUInt16LE(0xbf00, CODE + chunk.code.length); // nop pad
  return img;
}

interface State { r: number[]; xpsr: number }
function parseLog(text: string): State[] {
  const states: State[] = [];
  let cur: number[] = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/R(\d\d)=([0-9a-f]{8})/g)) cur[Number(m[1])] = parseInt(m[2], 16);
    const x = /XPSR=([0-9a-f]{8})/.exec(line);
    if (x) {
      states.push({ r: cur, xpsr: parseInt(x[1], 16) });
      cur = [];
    }
  }
  return states;
}

/** ConditionPassed() for the instruction about to execute, from ITSTATE and NZCV in the xPSR. */
function conditionPassed(xpsr: number): boolean {
  const itstate = (((xpsr >>> 10) & 0x3f) << 2) | ((xpsr >>> 25) & 3);
  if ((itstate & 0xf) === 0) return true;
  const cond = itstate >>> 4;
  const n = (xpsr >>> 31) & 1, z = (xpsr >>> 30) & 1, c = (xpsr >>> 29) & 1, v = (xpsr >>> 28) & 1;
  let r: boolean;
  switch (cond >>> 1) {
    case 0: r = z === 1; break;
    case 1: r = c === 1; break;
    case 2: r = n === 1; break;
    case 3: r = v === 1; break;
    case 4: r = c === 1 && z === 0; break;
    case 5: r = n === v; break;
    case 6: r = n === v && z === 0; break;
    default: r = true;
  }
  return cond & 1 && cond !== 15 ? !r : r;
}

const byName = new Map(dspEncodings.map((e) => [e.name, e]));
const dir = mkdtempSync(join(tmpdir(), 'genq-'));
let failures = 0, executed = 0, dspChecked = 0, dspBad = 0;
const seen = new Set<string>();
for (let c = 0; c < chunks; c++) {
  const seed = seed0 + c;
  const chunk = generateChunk(seed, count, { dsp, only });
  const file = join(dir, `c${seed}.bin`), log = join(dir, `c${seed}.log`);
  writeFileSync(file, image(chunk));
  const res = spawnSync('qemu-system-arm', ['-M', board, '-nographic', '-semihosting', '-monitor', 'none', '-serial', 'none',
    '-kernel', file, '-singlestep', '-d', 'cpu,nochain', '-D', log], { timeout: 20000 });
  if (res.status !== 0) {
    failures++;
    console.log(`seed ${seed}: QEMU exit ${res.status} ${res.signal ?? ''} (fault or hang; files in ${dir})`);
  }
  const states = parseLog(readFileSync(log, 'utf8'));
  const at = new Map(chunk.instructions.map((i) => [CODE + i.offset, i]));
  for (let s = 0; s + 1 < states.length; s++) {
    const ins = at.get(states[s].r[15]);
    if (!ins) continue;
    executed++;
    seen.add(ins.encoding);
    const enc = byName.get(ins.encoding);
    if (!enc || !ins.cls.startsWith('dsp')) continue;
    // Our handler on QEMU's state before, against QEMU's state after.
    const before = states[s], after = states[s + 1];
    // skip instructions QEMU did not execute (condition failed inside an IT block)
    const off = before.r[15] - CODE;
    const hw1 = chunk.code[off] | (chunk.code[off + 1] << 8), hw2 = chunk.code[off + 2] | (chunk.code[off + 3] << 8);
    const insn = ((hw1 << 16) | hw2) >>> 0;
    const cpu: DspCpu = { r: Uint32Array.from(before.r.slice(0, 16)), q: (before.xpsr >>> 27) & 1, ge: (before.xpsr >>> 16) & 15, undefined() { throw new Error('undefined'); } };
    if (!conditionPassed(before.xpsr)) continue; // skipped inside an IT block
    enc.exec(cpu as never, insn);
    dspChecked++;
    const diffs: string[] = [];
    for (let k = 0; k < 15; k++) if (cpu.r[k] !== after.r[k]) diffs.push(`r${k} ours ${cpu.r[k].toString(16)} qemu ${after.r[k].toString(16)}`);
    if (cpu.q !== ((after.xpsr >>> 27) & 1)) diffs.push(`Q ours ${cpu.q} qemu ${(after.xpsr >>> 27) & 1}`);
    if (cpu.ge !== ((after.xpsr >>> 16) & 15)) diffs.push(`GE ours ${cpu.ge} qemu ${(after.xpsr >>> 16) & 15}`);
    if (diffs.length) {
      dspBad++;
      if (dspBad < 20) console.log(`seed ${seed} +${off.toString(16)} ${ins.encoding} ${hw1.toString(16)} ${hw2.toString(16)}: ${diffs.join(', ')}`);
    }
  }
}
console.log(`${chunks} chunks: ${failures} did not exit cleanly; ${executed} instructions executed in chunks (${seen.size} encodings); DSP checked ${dspChecked}, mismatches ${dspBad}`);
