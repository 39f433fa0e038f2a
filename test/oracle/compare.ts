// Compare two traces (QEMU's and the simulator's) state by state: r0-r15 and xPSR
// before every instruction, and report the first divergence with context.
//
// What is masked, and why (nothing else is):
//  - r0-r12 and the APSR flags N Z C V Q GE[3:0] are UNKNOWN after reset (ARMv7-M ARM
//    B1.5.5, TakeReset). QEMU zeroes the registers and starts with xPSR 0x41000000
//    (Z set). Each such register or flag is compared from the first state where both
//    sides agree on it; if they still disagree after RESET_GRACE states, that is a
//    divergence (a wrong value that is never corrected is not "UNKNOWN").
//  - r0 after a semihosting SYS_WRITEC or SYS_WRITE0 (BKPT 0xAB with r0 = 3 or 4): the
//    semihosting specification says r0 is corrupted on return (QEMU leaves 0xdeadbeef).
//    The tests also give the simulator QEMU's value there (adopt.ts), so that code
//    which copies r0 afterwards stays comparable.
//  - Opaque ranges (by symbol): code whose instruction count depends on time, such as a
//    loop polling SysTick's COUNTFLAG (QEMU's SysTick follows the host clock unless
//    icount is used, and icount makes QEMU log I/O instructions twice). Inside such a
//    range the states are not compared; the traces are realigned where both leave it
//    and compared from there on.
// Alignment: a state whose QEMU log shows "Taking exception" (an exception entry) may
// be preceded on the simulator by a state that QEMU does not have (e.g. the pre-entry
// state of an asynchronous interrupt, if the trace recorder did not recognise it);
// such a state is skipped and counted, never silently.

import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Trace, WORDS_PER_STATE, XPSR, formatState, hex8 } from './trace.js';

const RESET_GRACE = 200;
const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc', 'xpsr'];
// xPSR fields that are UNKNOWN after reset: N Z C V Q (31..27) and GE[3:0] (19..16).
const FLAG_BITS = [31, 30, 29, 28, 27, 19, 18, 17, 16];

export interface AddressRange {
  start: number;
  end: number; // exclusive
  name: string;
}

export interface CompareOptions {
  /** Read a halfword of code (for reports and to recognise BKPT 0xAB). */
  fetch16: (addr: number) => number;
  /** Name of the function containing addr, for reports. */
  symbolize?: (addr: number) => string;
  /** Code compared only where it is left (see above). */
  opaque?: AddressRange[];
  /** States before the first divergence shown in the report. */
  context?: number;
}

export interface Divergence {
  /** Index in the QEMU trace and in the simulator's trace. */
  qemuIndex: number;
  simIndex: number;
  /** Address of the instruction that produced the differing state (the previous state's pc). */
  pc: number;
  /** Registers that differ, e.g. ["r3: qemu 0x00000001 sim 0x00000000"]. */
  differences: string[];
  report: string;
}

export interface CompareResult {
  /** States compared (one per instruction executed on both). */
  compared: number;
  /** States skipped inside opaque ranges (QEMU side). */
  opaqueSkipped: number;
  /** Simulator states skipped before an exception entry (see above). */
  entryRealigned: number;
  divergence?: Divergence;
}

/** Compare the traces; stops at the first divergence. */
export function compareTraces(qemu: Trace, sim: Trace, opts: CompareOptions): CompareResult {
  const opaque = opts.opaque ?? [];
  const inOpaque = (pc: number): AddressRange | undefined => {
    for (const r of opaque) if (pc >= r.start && pc < r.end) return r;
    return undefined;
  };
  // Registers/flags not yet known to agree since reset.
  let unknownRegs = (1 << 13) - 1; // r0-r12
  let unknownFlags = 0;
  for (const b of FLAG_BITS) unknownFlags |= 1 << b;
  unknownFlags >>>= 0;

  let i = 0;
  let j = 0;
  let compared = 0;
  let opaqueSkipped = 0;
  let entryRealigned = 0;
  const nq = qemu.count;
  const ns = sim.count;

  const diffs = (qi: number, si: number, r0Corrupt: boolean): string[] => {
    const out: string[] = [];
    for (let k = 0; k < WORDS_PER_STATE; k++) {
      let a = qemu.get(qi, k);
      let b = sim.get(si, k);
      if (k === 0 && r0Corrupt) continue;
      if (k < 13 && unknownRegs & (1 << k)) {
        if (a === b) unknownRegs &= ~(1 << k);
        else if (qi < RESET_GRACE) continue;
      }
      if (k === XPSR && unknownFlags) {
        const agree = ~(a ^ b) & unknownFlags;
        unknownFlags = (unknownFlags & ~agree) >>> 0;
        if (qi < RESET_GRACE) {
          a = (a & ~unknownFlags) >>> 0;
          b = (b & ~unknownFlags) >>> 0;
        }
      }
      if (a !== b) out.push(`${REG_NAMES[k]}: qemu 0x${hex8(a)} sim 0x${hex8(b)}`);
    }
    return out;
  };

  const semihostCorruptsR0 = (qi: number): boolean => {
    if (qi === 0) return false;
    const prevPc = qemu.pc(qi - 1);
    let hw: number;
    try {
      hw = opts.fetch16(prevPc);
    } catch {
      return false;
    }
    const op = qemu.get(qi - 1, 0);
    return hw === 0xbeab && (op === 0x03 || op === 0x04);
  };

  while (i < nq && j < ns) {
    // Opaque code: skip both sides to where they leave the range.
    const range = inOpaque(qemu.pc(i));
    if (range && inOpaque(sim.pc(j)) === range) {
      while (i < nq && qemu.pc(i) >= range.start && qemu.pc(i) < range.end) {
        i++;
        opaqueSkipped++;
      }
      while (j < ns && sim.pc(j) >= range.start && sim.pc(j) < range.end) j++;
      continue;
    }
    const r0Corrupt = semihostCorruptsR0(i);
    let d = diffs(i, j, r0Corrupt);
    if (d.length && j + 1 < ns && qemuTookException(qemu, i)) {
      const d2 = diffs(i, j + 1, r0Corrupt);
      if (d2.length === 0) {
        j++;
        entryRealigned++;
        d = d2;
      }
    }
    if (d.length) {
      return { compared, opaqueSkipped, entryRealigned, divergence: makeDivergence(qemu, sim, i, j, d, opts) };
    }
    compared++;
    i++;
    j++;
  }
  if (i < nq || j < ns) {
    const d = [i < nq ? `the simulator's trace ended after ${ns} states; QEMU went on to ${nq}` : `QEMU's trace ended after ${nq} states; the simulator went on to ${ns}`];
    return {
      compared,
      opaqueSkipped,
      entryRealigned,
      divergence: makeDivergence(qemu, sim, Math.min(i, nq - 1), Math.min(j, ns - 1), d, opts),
    };
  }
  return { compared, opaqueSkipped, entryRealigned };
}

function qemuTookException(qemu: Trace, i: number): boolean {
  const notes = qemu.notes.get(i);
  return notes !== undefined && notes.some((n) => n.startsWith('Taking exception') && !/Semihosting|exception exit/.test(n));
}

function makeDivergence(qemu: Trace, sim: Trace, i: number, j: number, differences: string[], opts: CompareOptions): Divergence {
  const pc = i > 0 ? qemu.pc(i - 1) : qemu.pc(i);
  const lines: string[] = [];
  const where = (a: number) => (opts.symbolize ? ` <${opts.symbolize(a)}>` : '');
  lines.push(`first divergence at QEMU state ${i} / simulator state ${j}, after the instruction at 0x${hex8(pc)}${where(pc)}:`);
  lines.push(`  ${describeInstruction(pc, opts)}`);
  for (const d of differences) lines.push(`  ${d}`);
  const n = opts.context ?? 4;
  lines.push('context (QEMU states before the divergence, with the instruction each precedes):');
  for (let k = Math.max(0, i - n); k <= i && k < qemu.count; k++) {
    const notes = qemu.notes.get(k);
    if (notes) for (const note of notes) lines.push(`    [qemu] ${note}`);
    lines.push(`  q#${k}: ${formatState(qemu.state(k))}`);
    lines.push(`        ${describeInstruction(qemu.pc(k), opts)}`);
  }
  if (j < sim.count) lines.push(`  s#${j}: ${formatState(sim.state(j))}`);
  if (j + 1 < sim.count) lines.push(`  s#${j + 1}: ${formatState(sim.state(j + 1))} (the simulator's next state)`);
  return { qemuIndex: i, simIndex: j, pc, differences, report: lines.join('\n') };
}

/** "0x0000a34: fbb8 f1f3  udiv r1, r8, r3" (disassembly when objdump is available). */
export function describeInstruction(pc: number, opts: CompareOptions): string {
  let hws = '';
  try {
    const hw1 = opts.fetch16(pc);
    hws = hw1.toString(16).padStart(4, '0');
    if (hw1 >= 0xe800) hws += ' ' + opts.fetch16(pc + 2).toString(16).padStart(4, '0');
  } catch {
    hws = '????';
  }
  const dis = disassemble(pc, hws);
  return `0x${hex8(pc)}: ${hws}${dis ? '  ' + dis : ''}`;
}

let objdumpMissing = false;
function disassemble(pc: number, hws: string): string {
  if (objdumpMissing || hws.includes('?')) return '';
  // From the halfwords, so it works for generated code that is in no ELF.
  const bytes: number[] = [];
  for (const h of hws.split(' ')) {
    const v = parseInt(h, 16);
    bytes.push(v & 0xff, v >> 8);
  }
  // objdump wants a regular file, not a pipe
  const file = join(tmpdir(), `tsprobe-disasm-${process.pid}.bin`);
  writeFileSync(file, Buffer.from(bytes));
  const r = spawnSync(
    'arm-none-eabi-objdump',
    ['-D', '-b', 'binary', '-m', 'arm', '-M', 'force-thumb', `--adjust-vma=0x${pc.toString(16)}`, file],
    { encoding: 'utf8', timeout: 5000 },
  );
  rmSync(file, { force: true });
  if (r.error || r.status !== 0) {
    if (r.error) objdumpMissing = true;
    return '';
  }
  const m = r.stdout.split('\n').find((l) => /^\s*[0-9a-f]+:\t/.test(l));
  return m ? m.split('\t').slice(2).join(' ').trim() : '';
}

/** An ELF symbolizer: "name+0x12" for the function containing addr. */
export function symbolizer(symbols: { name: string; value: number; size: number; type: number }[]): (addr: number) => string {
  const funcs = symbols.filter((s) => s.type === 2 && s.size > 0).map((s) => ({ name: s.name, start: s.value & ~1, end: (s.value & ~1) + s.size }));
  return (addr: number) => {
    for (const f of funcs) if (addr >= f.start && addr < f.end) return addr === f.start ? f.name : `${f.name}+0x${(addr - f.start).toString(16)}`;
    return '?';
  };
}

/** The address ranges of the named functions (for opaque ranges). */
export function functionRanges(symbols: { name: string; value: number; size: number; type: number }[], names: string[]): AddressRange[] {
  const out: AddressRange[] = [];
  for (const name of names) {
    const s = symbols.find((x) => x.name === name && x.type === 2);
    if (!s) throw new Error(`no function ${name} in the ELF's symbols`);
    out.push({ start: s.value & ~1, end: (s.value & ~1) + s.size, name });
  }
  return out;
}
