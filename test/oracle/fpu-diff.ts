// The FPU part of the differential test: generated streams of VFP instructions over
// special values (NaNs with payloads, infinities, denormals, signed zeros, ties, integer
// limits) and every FPSCR rounding mode with FZ/DN/AHP, assembled with arm-none-eabi-as,
// run on QEMU 7.2 (single-stepped, `-d cpu,fpu,nochain`: QEMU prints s00-s31 and FPSCR
// after the core registers on M-profile cores with an FPU) and on the simulator, compared
// state by state: r0-r15, the APSR flags, S0-S31 and FPSCR before every instruction.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '../../src/sim/bus.js';
import { Clock } from '../../src/sim/clock.js';
import { Cpu, type CoreConfig } from '../../src/sim/cpu/cpu.js';
import { mapScs } from '../../src/sim/scs/scs.js';
import { QEMU } from './qemu-trace.js';
import { xorshift } from './chunk-harness.js';

export const FPU_CORES: Record<string, CoreConfig> = {
  'mps2-an386': { name: 'cortex-m4', cpuid: 0x410fc240, dsp: true, fpu: 'fpv4-sp', irqs: 32, priorityBits: 8 },
  'mps2-an500': { name: 'cortex-m7', cpuid: 0x411fc272, dsp: true, fpu: 'fpv5-dp', irqs: 32, priorityBits: 8 },
};

export function toolsAvailable(): boolean {
  for (const t of ['arm-none-eabi-as', 'arm-none-eabi-ld', 'arm-none-eabi-objcopy']) {
    const r = spawnSync(t, ['--version'], { timeout: 10_000 });
    if (r.status !== 0) return false;
  }
  return true;
}

const SINGLES = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0xc0200000, 0x40400000,
  0x3f000000, 0xbf000000, 0x3dcccccd, 0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000, 0x00000001,
  0x807fffff, 0x00400000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345, 0x7f800001, 0xff812345,
  0x4b800001, 0x4f000000, 0x4f800000, 0xcf000000, 0xcf000001, 0x4effffff, 0x477fe000, 0x477ff000,
  0x38800000, 0x33800000, 0x5f000000, 0x3f7fffff, 0x3f800001, 0x00ffffff, 0x0c800000, 0x7e800000,
];
// doubles as [hi, lo]
const DOUBLES: [number, number][] = [
  [0, 0], [0x80000000, 0], [0x3ff00000, 0], [0xbff00000, 0], [0x3ff80000, 0], [0x40040000, 0], [0xc0040000, 0],
  [0x3fe00000, 0], [0x3fb99999, 0x9999999a], [0x7fefffff, 0xffffffff], [0xffefffff, 0xffffffff], [0x00100000, 0],
  [0, 1], [0x800fffff, 0xffffffff], [0x00080000, 0], [0x7ff00000, 0], [0xfff00000, 0], [0x7ff80000, 0],
  [0xfff81234, 0x56789abc], [0x7ff00000, 1], [0xfff01234, 0x5678], [0x43300000, 1], [0x41e00000, 0],
  [0x41f00000, 0], [0xc1e00000, 0], [0xc1e00000, 0x00200000], [0x41dfffff, 0xffc00000], [0x3ff00000, 1],
  [0x3fefffff, 0xffffffff], [0x36a00000, 0], [0x47efffff, 0xe0000000], [0x38100000, 0], [0x380fffff, 0xf0000000],
  [0x40f00000, 0], [0x7fe00000, 0], [0x001fffff, 0xffffffff],
];

function range(p: string, a: number, k: number): string {
  return k === 0 ? `${p}${a}` : `${p}${a}-${p}${a + k}`;
}

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}

export interface FpuProgram {
  source: string;
  /** Number of instructions from reset to the final BKPT (inclusive). */
  count: number;
}

/** Generate the assembly of a random FPU stream. */
export function generateFpuProgram(seed: number, blocks: number, dp: boolean): FpuProgram {
  const rnd = xorshift(seed);
  const pick = <T>(a: readonly T[]): T => a[rnd() % a.length];
  const lines: string[] = [];
  const v5 = dp;
  const sreg = (): string => `s${rnd() % 32}`;
  const dreg = (): string => `d${rnd() % 16}`;
  const rm = (): string => pick(['a', 'n', 'p', 'm']);
  const singleOps: (() => string)[] = [
    ...['vadd', 'vsub', 'vmul', 'vnmul', 'vdiv', 'vmla', 'vmls', 'vnmla', 'vnmls', 'vfma', 'vfms', 'vfnma', 'vfnms'].map(
      (op) => () => `${op}.f32 ${sreg()}, ${sreg()}, ${sreg()}`,
    ),
    ...['vabs', 'vneg', 'vsqrt', 'vmov'].map((op) => () => `${op}.f32 ${sreg()}, ${sreg()}`),
    () => `${pick(['vcmp', 'vcmpe'])}.f32 ${sreg()}, ${sreg()}`,
    () => `${pick(['vcmp', 'vcmpe'])}.f32 ${sreg()}, #0`,
    () => `vmrs APSR_nzcv, fpscr`,
    () => `vmrs r${rnd() % 8}, fpscr`,
    () => `${pick(['vcvt', 'vcvtr'])}.${pick(['s32', 'u32'])}.f32 ${sreg()}, ${sreg()}`,
    () => `vcvt.f32.${pick(['s32', 'u32'])} ${sreg()}, ${sreg()}`,
    () => `${pick(['vcvtb', 'vcvtt'])}.${pick(['f32.f16', 'f16.f32'])} ${sreg()}, ${sreg()}`,
    () => {
      const size = pick([16, 32]);
      const fbits = 1 + (rnd() % size);
      const t = `${pick(['s', 'u'])}${size}`;
      const x = sreg();
      return rnd() & 1 ? `vcvt.${t}.f32 ${x}, ${x}, #${fbits}` : `vcvt.f32.${t} ${x}, ${x}, #${fbits}`;
    },
    () => `vmov.f32 ${sreg()}, #${pick(['1.0', '-2.5', '0.125', '31.0', '-0.1875'])}`,
    () => `vmov ${sreg()}, r${rnd() % 8}`,
    () => `vmov r${rnd() % 8}, ${sreg()}`,
    () => {
      const a = rnd() % 15;
      return rnd() & 1 ? `vmov s${a}, s${a + 1}, r${rnd() % 4}, r${4 + (rnd() % 4)}` : `vmov r${rnd() % 4}, r${4 + (rnd() % 4)}, s${a}, s${a + 1}`;
    },
    () => `${pick(['vldr', 'vstr'])} ${sreg()}, [r9, #${4 * (rnd() % 16)}]`,
    () => {
      const a = rnd() % 12;
      const b = rnd() % 12;
      const k = rnd() % 4;
      return rnd() & 1
        ? `vpush {${range('s', a, k)}}\n  vpop {${range('s', b, k)}}`
        : `vstmdb r9!, {${range('s', a, k)}}\n  vldmia r9!, {${range('s', b, k)}}`;
    },
    () => `${pick(['vldmia', 'vstmia'])} r9, {s${rnd() % 8}-s${8 + (rnd() % 8)}}`,
  ];
  const v5Ops: (() => string)[] = [
    () => `vrint${rm()}.f32 ${sreg()}, ${sreg()}`,
    () => `vrint${pick(['x', 'z', 'r'])}.f32 ${sreg()}, ${sreg()}`,
    () => `vcvt${rm()}.${pick(['s32', 'u32'])}.f32 ${sreg()}, ${sreg()}`,
    () => `vsel${pick(['eq', 'ge', 'gt', 'vs'])}.f32 ${sreg()}, ${sreg()}, ${sreg()}`,
    () => `${pick(['vmaxnm', 'vminnm'])}.f32 ${sreg()}, ${sreg()}, ${sreg()}`,
  ];
  const doubleOps: (() => string)[] = [
    ...['vadd', 'vsub', 'vmul', 'vnmul', 'vdiv', 'vmla', 'vmls', 'vnmla', 'vnmls', 'vfma', 'vfms', 'vfnma', 'vfnms', 'vmaxnm', 'vminnm'].map(
      (op) => () => `${op}.f64 ${dreg()}, ${dreg()}, ${dreg()}`,
    ),
    ...['vabs', 'vneg', 'vsqrt', 'vmov'].map((op) => () => `${op}.f64 ${dreg()}, ${dreg()}`),
    () => `${pick(['vcmp', 'vcmpe'])}.f64 ${dreg()}, ${dreg()}`,
    () => `${pick(['vcmp', 'vcmpe'])}.f64 ${dreg()}, #0`,
    () => `vmrs APSR_nzcv, fpscr`,
    () => `${pick(['vcvt', 'vcvtr'])}.${pick(['s32', 'u32'])}.f64 s${rnd() % 16}, ${dreg()}`,
    () => `vcvt.f64.${pick(['s32', 'u32'])} ${dreg()}, s${rnd() % 16}`,
    () => `vcvt.f64.f32 ${dreg()}, s${rnd() % 16}`,
    () => `vcvt.f32.f64 s${rnd() % 16}, ${dreg()}`,
    () => `${pick(['vcvtb', 'vcvtt'])}.f64.f16 ${dreg()}, s${rnd() % 16}`,
    () => `${pick(['vcvtb', 'vcvtt'])}.f16.f64 s${rnd() % 16}, ${dreg()}`,
    () => {
      const size = pick([16, 32]);
      const fbits = 1 + (rnd() % size);
      const d = dreg();
      const t = `${pick(['s', 'u'])}${size}`;
      return rnd() & 1 ? `vcvt.${t}.f64 ${d}, ${d}, #${fbits}` : `vcvt.f64.${t} ${d}, ${d}, #${fbits}`;
    },
    () => `vrint${rm()}.f64 ${dreg()}, ${dreg()}`,
    () => `vrint${pick(['x', 'z', 'r'])}.f64 ${dreg()}, ${dreg()}`,
    () => `vcvt${rm()}.${pick(['s32', 'u32'])}.f64 s${rnd() % 16}, ${dreg()}`,
    () => `vsel${pick(['eq', 'ge', 'gt', 'vs'])}.f64 ${dreg()}, ${dreg()}, ${dreg()}`,
    () => `vmov.f64 ${dreg()}, #${pick(['1.0', '-2.5', '0.125', '31.0'])}`,
    () => `vmov ${dreg()}, r${rnd() % 8}, r${rnd() % 8}`,
    () => `vmov r${rnd() % 4}, r${4 + (rnd() % 4)}, ${dreg()}`,
    () => (rnd() & 1 ? `vmov.32 ${dreg()}[${rnd() & 1}], r${rnd() % 8}` : `vmov.32 r${rnd() % 8}, ${dreg()}[${rnd() & 1}]`),
    () => `${pick(['vldr', 'vstr'])} ${dreg()}, [r9, #${4 * (rnd() % 16)}]`,
    () => {
      const a = rnd() % 6;
      const b = rnd() % 6;
      const k = rnd() % 3;
      return rnd() & 1 ? `vpush {${range('d', a, k)}}\n  vpop {${range('d', b, k)}}` : `vstmdb r9!, {${range('d', a, k)}}\n  vldmia r9!, {${range('d', b, k)}}`;
    },
  ];

  let count = 0;
  const emit = (s: string): void => {
    lines.push('  ' + s);
    count += s.split('\n').length;
  };
  lines.push('.syntax unified', '.thumb', `.cpu ${dp ? 'cortex-m7' : 'cortex-m4'}`, `.fpu ${dp ? 'fpv5-d16' : 'fpv4-sp-d16'}`, '.text', '.global _start',
    'vectors:', '.word 0x20008000', '.word _start+1', '.rept 14', '.word 0', '.endr', '.thumb_func', '_start:');
  // CPACR: full access to CP10/CP11
  emit('ldr r0, =0xE000ED88');
  emit('ldr r1, [r0]');
  emit('orr r1, r1, #(0xF << 20)');
  emit('str r1, [r0]');
  emit('dsb');
  emit('isb');
  emit('ldr r9, =0x20001000');
  for (let b = 0; b < blocks; b++) {
    const double = dp && (rnd() & 1) === 1;
    // operands: 16 words into s0-s15 (8 doubles when double)
    for (let k = 0; k < 16; k++) {
      if (double) {
        const v = rnd() % 8 === 0 ? [rnd() >>> 0, rnd() >>> 0] : pick(DOUBLES);
        if ((k & 1) === 0) {
          emit(`ldr r0, =${hex(v[1])}`);
          emit(`ldr r1, =${hex(v[0])}`);
          emit(`vmov d${k >> 1}, r0, r1`);
        }
        continue;
      }
      const w = rnd() % 8 === 0 ? rnd() >>> 0 : pick(SINGLES);
      emit(`ldr r0, =${hex(w)}`);
      emit(`vmov s${k}, r0`);
    }
    // s16-s31 (d8-d15): the same values rotated by an even number of words
    emit('vstmia r9, {s0-s15}');
    emit('add r10, r9, #64');
    emit('vstmia r10, {s0-s15}');
    emit(`add r10, r9, #${8 * (rnd() % 8)}`);
    emit('vldmia r10, {s16-s31}');
    // FPSCR: a rounding mode, sometimes FZ, DN, AHP; flags cleared or kept
    const r = rnd();
    let fpscr = (r & 3) << 22;
    if (r & 4) fpscr |= 1 << 24;
    if ((r & 0x18) === 0x18) fpscr |= 1 << 25;
    if ((r & 0x60) === 0x60) fpscr |= 1 << 26;
    if (r & 0x80) fpscr |= ((r >>> 8) & 0xf) << 28;
    if (r & 0x1000) fpscr |= (r >>> 16) & 0x9f;
    emit(`ldr r0, =${hex(fpscr)}`);
    emit('vmsr fpscr, r0');
    // set the APSR flags for VSEL
    emit(`ldr r0, =${hex(((rnd() & 0xf) << 28) >>> 0)}`);
    emit('msr APSR_nzcvq, r0');
    for (let k = 0; k < 10; k++) {
      const menu = double ? doubleOps : v5 && rnd() % 3 === 0 ? v5Ops : singleOps;
      const insn = pick(menu)();
      // sometimes conditional, in an IT block (not the FPv5 instructions that are always unconditional)
      if (rnd() % 8 === 0 && !insn.includes('\n') && !/^(vsel|vmaxnm|vminnm|vrint[anpm]\.|vcvt[anpm]\.)/.test(insn)) {
        const cond = pick(['eq', 'ne', 'ge', 'lt', 'hi', 'ls']);
        emit(`it ${cond}`);
        emit(insn.replace(/^(\w+)/, `$1${cond}`));
      } else emit(insn);
    }
    if (b % 4 === 3) lines.push('  b 1f', '.ltorg', '1:'), (count += 1);
  }
  emit('mov r0, #0x18');
  emit('ldr r1, =0x20026');
  emit('bkpt 0xab');
  lines.push('.ltorg', '');
  return { source: lines.join('\n'), count };
}

export interface FpuState {
  r: number[]; // r0-r15 (r15 = address of the instruction)
  flags: number; // xPSR[31:28]
  s: number[];
  fpscr: number;
}

/** Parse QEMU's `-d cpu,fpu` log into states. */
export function parseFpuLog(text: string): FpuState[] {
  const out: FpuState[] = [];
  let cur: FpuState | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('R00=')) {
      cur = { r: [], flags: 0, s: new Array(32).fill(0), fpscr: 0 };
      out.push(cur);
    }
    if (!cur) continue;
    if (/^R\d\d=/.test(line)) {
      for (const m of line.matchAll(/R(\d\d)=([0-9a-f]{8})/g)) cur.r[Number(m[1])] = parseInt(m[2], 16);
    } else if (line.startsWith('XPSR=')) cur.flags = parseInt(line.slice(5, 13), 16) >>> 28;
    else if (line.startsWith('s')) {
      for (const m of line.matchAll(/s(\d\d)=([0-9a-f]{8})/g)) cur.s[Number(m[1])] = parseInt(m[2], 16);
    } else if (line.startsWith('FPSCR: ')) cur.fpscr = parseInt(line.slice(7), 16);
  }
  return out;
}

export interface FpuRun {
  qemu: FpuState[];
  sim: FpuState[];
  listing: string;
  source: string;
}

/** Assemble, run on QEMU and on the simulator. */
export function runFpuProgram(board: string, prog: FpuProgram, timeoutMs = 60_000): FpuRun {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-fpu-'));
  try {
    writeFileSync(join(dir, 'p.s'), prog.source);
    const run = (cmd: string, args: string[]): string => {
      const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: timeoutMs });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}${r.error ?? ''}`);
      return r.stdout;
    };
    run('arm-none-eabi-as', ['p.s', '-o', 'p.o']);
    run('arm-none-eabi-ld', ['-Ttext=0', 'p.o', '-o', 'p.elf']);
    run('arm-none-eabi-objcopy', ['-O', 'binary', 'p.elf', 'p.bin']);
    const listing = run('arm-none-eabi-objdump', ['-d', 'p.elf']);
    spawnSync(QEMU, ['-M', board, '-nographic', '-semihosting', '-kernel', 'p.elf', '-singlestep', '-d', 'cpu,fpu,nochain', '-D', 'q.log'], {
      cwd: dir, timeout: timeoutMs, stdio: 'ignore',
    });
    const qemu = parseFpuLog(readFileSync(join(dir, 'q.log'), 'utf8'));
    const bin = new Uint8Array(readFileSync(join(dir, 'p.bin')));
    const sim = runSim(board, bin, qemu.length);
    return { qemu, sim, listing, source: prog.source };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function simState(cpu: Cpu): FpuState {
  const r: number[] = [];
  for (let i = 0; i < 15; i++) r.push(cpu.readCoreReg(i));
  r.push(cpu.pc);
  const s: number[] = [];
  for (let i = 0; i < 32; i++) s.push(cpu.readCoreReg(64 + i));
  return { r, flags: cpu.xpsr >>> 28, s, fpscr: cpu.readCoreReg(33) };
}

function runSim(board: string, bin: Uint8Array, states: number): FpuState[] {
  const bus = new Bus();
  const clock = new Clock(25_000_000);
  bus.mapMemory('code', 0, 0x40000);
  bus.mapMemory('ram', 0x20000000, 0x10000);
  const cpu = new Cpu(FPU_CORES[board], bus, clock);
  mapScs(bus, cpu);
  bus.load(0, bin);
  cpu.reset();
  const out: FpuState[] = [];
  for (let k = 0; k < states; k++) {
    out.push(simState(cpu));
    cpu.step();
  }
  return out;
}

export interface FpuMismatch {
  index: number;
  what: string;
  insn: string;
}

/** First differing state, with the instruction that produced it (from the listing). */
export function firstMismatch(run: FpuRun): FpuMismatch | null {
  const n = Math.min(run.qemu.length, run.sim.length);
  for (let k = 0; k < n; k++) {
    const q = run.qemu[k];
    const s = run.sim[k];
    const diffs: string[] = [];
    for (let i = 0; i < 16; i++) if ((q.r[i] >>> 0) !== (s.r[i] >>> 0)) diffs.push(`r${i} qemu ${hex(q.r[i])} sim ${hex(s.r[i])}`);
    if (q.flags !== s.flags) diffs.push(`nzcv qemu ${q.flags.toString(2)} sim ${s.flags.toString(2)}`);
    for (let i = 0; i < 32; i++) if ((q.s[i] >>> 0) !== (s.s[i] >>> 0)) diffs.push(`s${i} qemu ${hex(q.s[i])} sim ${hex(s.s[i])}`);
    if ((q.fpscr >>> 0) !== (s.fpscr >>> 0)) diffs.push(`fpscr qemu ${hex(q.fpscr)} sim ${hex(s.fpscr)}`);
    if (diffs.length) {
      const prevPc = k > 0 ? run.qemu[k - 1].r[15] : -1;
      const line = run.listing.split('\n').find((l) => new RegExp(`^\\s*${prevPc.toString(16)}:`).test(l)) ?? '?';
      const prev = k > 0 ? run.qemu[k - 1] : null;
      const ctx = prev ? ` (before: fpscr ${hex(prev.fpscr)} s0-s15 ${prev.s.slice(0, 16).map(hex).join(' ')})` : '';
      return { index: k, what: diffs.join('; '), insn: line.trim() + ctx };
    }
  }
  return null;
}

/**
 * A hand-written program for the FP context on exceptions: extended frames with lazy
 * preservation (FPCCR.LSPEN = 1), with immediate stacking (LSPEN = 0), a basic frame once
 * CONTROL.FPCA is clear, forced 8-byte alignment, FPDSCR taking effect in the handler, and
 * the handler reading EXC_RETURN, CONTROL, FPCCR, FPCAR and the frame's S0/FPSCR words into
 * core registers (so the comparison of r0-r15 checks them).
 */
export function exceptionProgram(dp: boolean): FpuProgram {
  const source = `
.syntax unified
.thumb
.cpu ${dp ? 'cortex-m7' : 'cortex-m4'}
.fpu ${dp ? 'fpv5-d16' : 'fpv4-sp-d16'}
.text
.global _start
vectors:
.word 0x20008000
.word _start+1
.rept 9
.word 0
.endr
.word svc_handler+1
.rept 4
.word 0
.endr
.thumb_func
_start:
  ldr r0, =0xE000ED88
  ldr r1, [r0]
  orr r1, r1, #(0xF << 20)
  str r1, [r0]
  dsb
  isb
  ldr r0, =0x3f800000
  vmov s0, r0
  vmov.f32 s15, #2.0
  vadd.f32 s1, s0, s15
  ldr r0, =0x00c00017
  vmsr fpscr, r0
  ldr r1, =0xE000EF3C
  ldr r2, =0x01400000
  str r2, [r1]
  ldr r1, =0xE000ED24
  ldr r2, =0x00030000
  str r2, [r1]
  sub sp, sp, #4
  svc 0
  vmrs r3, fpscr
  mrs r4, control
  vmov r5, s0
  add sp, sp, #4
  ldr r1, =0xE000EF34
  ldr r2, =0x80000000
  str r2, [r1]
  svc 1
  vmrs r3, fpscr
  vmov r5, s0
  vmov r6, s1
  mrs r0, control
  bic r0, r0, #4
  msr control, r0
  isb
  svc 2
  mrs r4, control
  vmrs r3, fpscr
  mov r0, #0x18
  ldr r1, =0x20026
  bkpt 0xab
.thumb_func
svc_handler:
  mov r5, lr
  mrs r6, control
  ldr r1, =0xE000EF34
  ldr r7, [r1]
  ldr r8, [r1, #4]
  vmrs r9, fpscr
  ldr r7, [r1]
  ldr r10, [sp, #0x20]
  ldr r11, [sp, #0x60]
  ldr r12, [sp, #0x24]
  vmov.f32 s0, #3.0
  vadd.f32 s2, s0, s0
  mrs r6, control
  vmrs r9, fpscr
  bx lr
.ltorg
`;
  return { source, count: -1 };
}

/**
 * NOCP and UNDEFINSTR around the FPU: FP instructions with CP10/CP11 disabled, privileged-only
 * from unprivileged code, double precision on a single-precision FPU, cp10/cp11 encodings that
 * are no FP instruction; then the writable bits of FPSCR, FPCCR, FPCAR, FPDSCR and MVFR0-2. A HardFault handler records CFSR in r10, clears it and skips the
 * 32-bit instruction.
 */
export function faultProgram(dp: boolean): FpuProgram {
  const insns = [
    'vadd.f32 s2, s0, s1', // CPACR 0: NOCP
    '.inst.w 0xee300b01', // vadd.f64 d0, d0, d1
    '.inst.w 0xee000a30', // cp10 MCR form that is no VMOV (opc1 = 000, bits 6:5 = 01)
    '.inst.w 0xec400a00', // cp10 MCRR form with bits 7:4 = 0000 (not a VMOV pair)
    '.inst.w 0xee400b10', // VMOV scalar with opc1<1> set: an 8-bit lane (Advanced SIMD only)
  ];
  const body = (label: string): string =>
    insns.map((i, k) => `${label}${k}:\n  ${i}`).join('\n');
  const source = `
.syntax unified
.thumb
.cpu ${dp ? 'cortex-m7' : 'cortex-m4'}
.fpu ${dp ? 'fpv5-d16' : 'fpv4-sp-d16'}
.text
.global _start
vectors:
.word 0x20008000
.word _start+1
.word 0
.word hardfault+1
.rept 7
.word 0
.endr
.word svc+1
.rept 4
.word 0
.endr
.thumb_func
_start:
${body('a')}
  ldr r0, =0xE000ED88
  ldr r1, =0x00500000
  str r1, [r0]
  dsb
  isb
${body('b')}
  mov r0, #1
  msr control, r0
  isb
${body('c')}
  mov r0, #0
  svc 0
  ldr r0, =0xE000ED88
  ldr r1, =0x00f00000
  str r1, [r0]
  dsb
  isb
${body('d')}
  mov r12, sp
  ldr r0, =0x20007000
  vmov s0, r0
  .inst.w 0xee10da10 @ vmov sp, s0 (UNPREDICTABLE, executed by QEMU)
  .inst.w 0xee00da10 @ vmov s0, sp
  .inst.w 0xeef1da10 @ vmrs sp, fpscr
  .inst.w 0xec5d0b10 @ vmov r0, sp, d0
  mov sp, r12
  mov r0, #-1
  vmsr fpscr, r0
  vmrs r2, fpscr
  ldr r0, =0xE000EF34
  mov r1, #-1
  str r1, [r0, #8]
  ldr r4, [r0, #8]
  str r1, [r0, #4]
  ldr r5, [r0, #4]
  ldr r6, [r0, #12]
  ldr r7, [r0, #16]
  ldr r8, [r0, #20]
  str r1, [r0]
  ldr r3, [r0]
  mov r0, #0x18
  ldr r1, =0x20026
  bkpt 0xab
.thumb_func
svc:
  mrs r0, control
  bic r0, r0, #1
  msr control, r0
  bx lr
.thumb_func
hardfault:
  ldr r1, =0xE000ED28
  ldr r10, [r1]
  str r10, [r1]
  ldr r11, [sp, #24]
  add r11, r11, #4
  str r11, [sp, #24]
  bx lr
.ltorg
`;
  return { source, count: -1 };
}
