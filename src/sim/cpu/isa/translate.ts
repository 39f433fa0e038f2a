// Basic-block translation: a run of straight-line instructions becomes one generated JS
// function that calls each instruction's handler from its own call site. Every site sees one
// handler only, so V8 inlines the handlers into the block, and the run loop's fetch and
// dispatch are paid once per block instead of once per instruction.
//
// Safety: a block is validated against code memory (its halfwords) every time it is entered,
// so code that changes is re-translated; after each instruction the block exits if the PC
// did not fall through (a branch, a load into PC, an exception return) or the core needs
// attention (a pended exception, sleep, halt). Blocks never start inside an IT block and end
// with an IT instruction. The executing instruction's address is r[15] - 4, as in the loop.

import type { Cpu } from '../cpu.js';
import type { Decoder } from './decoder.js';
import { thumbExpandImmValue, type Exec } from './encoding.js';
import * as t16 from './thumb16.js';
import * as dp32 from './dataproc32.js';
import * as ls32 from './loadstore32.js';
import * as c32 from './control32.js';
import type { Clock } from '../../clock.js';

export interface Block {
  /** Address of the first instruction. */
  readonly pc: number;
  /** Number of instructions. */
  readonly len: number;
  /** Halfword index of the first instruction in `code`, and the halfwords translated. */
  readonly codeIndex: number;
  readonly raw: Uint16Array;
  readonly code: Uint16Array;
  /** Address of each instruction, to count the instructions before one that faulted. */
  readonly addrs: number[];
  readonly handlers: Exec[];
  readonly run: (cpu: Cpu, handlers: Exec[], r: Uint32Array, clock: Clock, now: number, limit: number, gen: number) => number;
  /** The code-write generation at which the block was last known current. */
  gen: number;
}

// Instruction classes that continue straight on; any other instruction ends its block.
// The FP classes qualify: none of them writes the PC, and their faults (NOCP, lazy
// state preservation, VLDR/VSTR aborts) leave the block as a load's fault does.
// 'fp-other' (the UNDEFINED catch-all) still ends it.
const STRAIGHT_CLASSES = new Set([
  'data-processing', 'data-processing-immediate', 'data-processing-register', 'shift', 'move', 'compare',
  'add-sub', 'load', 'store', 'address', 'extend', 'reverse', 'bitfield', 'saturate', 'count', 'multiply',
  'long-multiply', 'divide', 'load-store-dual', 'load-store-multiple', 'exclusive', 'barrier',
  'fp-arith', 'fp-move', 'fp-load-store',
]);

const straightCache = new WeakMap<Decoder, Set<Exec>>();
function straightHandlers(decoder: Decoder): Set<Exec> {
  let set = straightCache.get(decoder);
  if (!set) {
    set = new Set(decoder.encodings.filter((e) => STRAIGHT_CLASSES.has(e.cls) || e.requires === 'dsp').map((e) => e.exec));
    straightCache.set(decoder, set);
  }
  return set;
}

export const MAX_BLOCK = 32;

/**
 * Translate the block at `pc` (inside the code region `code` based at `codeBase`, `codeSize`
 * bytes). Returns null when the first instruction cannot start a block.
 */
export function translateBlock(decoder: Decoder, code: Uint16Array, codeBase: number, codeSize: number, pc: number, itTerminator: Exec, gen: number): Block | null {
  const straight = straightHandlers(decoder);
  const handlers: Exec[] = [];
  const addrs: number[] = [];
  const lines: string[] = [];
  const start = (pc - codeBase) >>> 1;
  let index = start;
  const end = codeSize >>> 1;
  while (handlers.length < MAX_BLOCK && index < end) {
    const hw = code[index];
    const addr = codeBase + index * 2;
    let exec: Exec;
    let insn: number;
    let size: number;
    if (hw < 0xe800) {
      exec = decoder.table16[hw];
      insn = hw;
      size = 2;
    } else {
      if (index + 1 >= end) break;
      const hw2 = code[index + 1];
      exec = decoder.table32[hw & 0x1fff][hw2 >>> 4];
      insn = (hw << 16) | hw2;
      size = 4;
    }
    const k = handlers.length;
    handlers.push(exec);
    addrs.push(addr);
    const next = addr + size;
    index += size >>> 1;
    const last = !straight.has(exec) || exec === itTerminator || handlers.length === MAX_BLOCK;
    const inline = emitInline(exec, insn) ?? emitBranch(exec, insn, addr, next);
    if (inline !== null && inline.setsPc) {
      // a branch: it sets the PC itself (and ends the block)
      lines.push(inline.code);
    } else if (inline !== null && inline.pure) {
      // register-only work: no fault, no PC read, no device access, no branch
      lines.push(inline.code + (last ? ` cpu._pc = ${next};` : ''));
    } else if (inline !== null) {
      // a load or store: the clock and the PC as the interpreter has them, then the access
      lines.push(`clock.now = now + n + ${k}; r[15] = ${addr + 4}; cpu._pc = ${next}; ${inline.code}`);
      if (!last) lines.push(`if (cpu.attention) return n + ${k + 1};`);
    } else {
      // the clock as the interpreter has it: cycles before this instruction
      lines.push(`clock.now = now + n + ${k}; r[15] = ${addr + 4}; cpu._pc = ${next}; h[${k}](cpu, ${insn});`);
      if (!last) lines.push(`if (cpu._pc !== ${next} || cpu.attention) return n + ${k + 1};`);
    }
    if (last) break;
  }
  if (handlers.length === 0) return null;
  // A block that branches back to its own start (a loop) goes round again inside the function
  // while the budget allows, nothing needs attention and its code was not written.
  const len = handlers.length;
  const body = [
    'let n = 0;',
    'for (;;) {',
    ...lines,
    `n += ${len};`,
    `if (cpu._pc !== ${pc} || cpu.attention || now + n + ${len} > limit || cpu.codeWriteGen !== gen) return n;`,
    '}',
  ];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the translator's output
  const run = new Function('cpu', 'h', 'r', 'clock', 'now', 'limit', 'gen', body.join('\n')) as Block['run'];
  return {
    pc,
    len: handlers.length,
    codeIndex: start,
    raw: code.slice(start, index),
    code,
    addrs,
    handlers,
    run,
    gen,
  };
}

/** Does the code memory still hold what the block was translated from? */
export function blockIsCurrent(b: Block, code: Uint16Array): boolean {
  if (b.code !== code) return false;
  const raw = b.raw;
  const base = b.codeIndex;
  for (let j = 0; j < raw.length; j++) if (code[base + j] !== raw[j]) return false;
  return true;
}

// ---- inline code for the most frequent simple instructions ------------------------------
// Inside a block the IT state is 0, so the 16-bit forms always set flags. Every emitter
// must compute exactly what its handler computes (translate.test.ts checks it on random code).

interface Inline {
  code: string;
  /** Touches only registers and flags (no memory, PC or clock). */
  pure: boolean;
  /** A branch: the code sets cpu._pc. */
  setsPc?: boolean;
}

// ConditionPassed as JS expressions on the flag fields.
const CONDITIONS = [
  'cpu.z === 1', 'cpu.z === 0', 'cpu.c === 1', 'cpu.c === 0', 'cpu.n === 1', 'cpu.n === 0', 'cpu.v === 1', 'cpu.v === 0',
  '(cpu.c === 1 && cpu.z === 0)', '(cpu.c === 0 || cpu.z === 1)', 'cpu.n === cpu.v', 'cpu.n !== cpu.v',
  '(cpu.z === 0 && cpu.n === cpu.v)', '(cpu.z === 1 || cpu.n !== cpu.v)',
];

/** B (all forms) and BL with their targets computed at translation time. */
function emitBranch(exec: Exec, i: number, addr: number, next: number): Inline | null {
  const pcValue = addr + 4;
  const target = (off: number): number => ((pcValue + off) & ~1) >>> 0;
  const offset24 = (): number => {
    const s = (i >>> 26) & 1;
    const i1 = (((i >>> 13) & 1) ^ s) ^ 1;
    const i2 = (((i >>> 11) & 1) ^ s) ^ 1;
    const off = (s << 24) | (i1 << 23) | (i2 << 22) | (((i >>> 16) & 0x3ff) << 12) | ((i & 0x7ff) << 1);
    return (off << 7) >> 7;
  };
  const conditional = (cond: number, off: number): Inline => ({
    code: `cpu._pc = ${CONDITIONS[cond]} ? ${target(off)} : ${next};`,
    pure: true,
    setsPc: true,
  });
  switch (exec) {
    case t16.exec_B_T1:
      return conditional((i >>> 8) & 15, ((i & 0xff) << 24) >> 23);
    case t16.exec_B_T2:
      return { code: `cpu._pc = ${target(((i & 0x7ff) << 21) >> 20)};`, pure: true, setsPc: true };
    case c32.exec_B_T3: {
      const cond = (i >>> 22) & 15;
      if ((cond & 0xe) === 0xe) return null;
      const s = (i >>> 26) & 1;
      const off = (s << 20) | (((i >>> 11) & 1) << 19) | (((i >>> 13) & 1) << 18) | (((i >>> 16) & 0x3f) << 12) | ((i & 0x7ff) << 1);
      return conditional(cond, (off << 11) >> 11);
    }
    case c32.exec_B_T4:
      return { code: `cpu._pc = ${target(offset24())};`, pure: true, setsPc: true };
    case c32.exec_BL_T1:
      return { code: `r[14] = ${(pcValue | 1) >>> 0}; cpu._pc = ${target(offset24())};`, pure: true, setsPc: true };
  }
  return null;
}

const u32 = (v: number): string => String(v >>> 0);

/** AddWithCarry(a, b, cin) with flags, result to `dest` (or discarded). */
function addWithFlags(a: string, b: string, cin: string, dest: string | null): string {
  return `{ const a = ${a}, b = ${b}; const s = a + b + ${cin}; const v = s >>> 0; ${dest ? `${dest} = v; ` : ''}cpu.n = v >>> 31; cpu.z = v === 0 ? 1 : 0; cpu.c = s > 4294967295 ? 1 : 0; cpu.v = (~(a ^ b) & (a ^ v)) >>> 31; }`;
}
function nzOf(v: string): string {
  return `cpu.n = ${v} >>> 31; cpu.z = ${v} === 0 ? 1 : 0;`;
}

function emitInline(exec: Exec, i: number): Inline | null {
  const pure = (code: string): Inline => ({ code, pure: true });
  const mem = (code: string): Inline => ({ code, pure: false });
  switch (exec) {
    case t16.exec_MOV_immediate_T1:
      return pure(`r[${(i >>> 8) & 7}] = ${i & 0xff}; cpu.n = 0; cpu.z = ${(i & 0xff) === 0 ? 1 : 0};`);
    case t16.exec_CMP_immediate_T1:
      return pure(addWithFlags(`r[${(i >>> 8) & 7}]`, u32(~(i & 0xff)), '1', null));
    case t16.exec_ADD_immediate_T2:
      return pure(addWithFlags(`r[${(i >>> 8) & 7}]`, String(i & 0xff), '0', `r[${(i >>> 8) & 7}]`));
    case t16.exec_SUB_immediate_T2:
      return pure(addWithFlags(`r[${(i >>> 8) & 7}]`, u32(~(i & 0xff)), '1', `r[${(i >>> 8) & 7}]`));
    case t16.exec_ADD_immediate_T1:
      return pure(addWithFlags(`r[${(i >>> 3) & 7}]`, String((i >>> 6) & 7), '0', `r[${i & 7}]`));
    case t16.exec_SUB_immediate_T1:
      return pure(addWithFlags(`r[${(i >>> 3) & 7}]`, u32(~((i >>> 6) & 7)), '1', `r[${i & 7}]`));
    case t16.exec_ADD_register_T1:
      return pure(addWithFlags(`r[${(i >>> 3) & 7}]`, `r[${(i >>> 6) & 7}]`, '0', `r[${i & 7}]`));
    case t16.exec_SUB_register_T1:
      return pure(addWithFlags(`r[${(i >>> 3) & 7}]`, `~r[${(i >>> 6) & 7}] >>> 0`, '1', `r[${i & 7}]`));
    case t16.exec_LSL_immediate_T1: {
      const sh = (i >>> 6) & 31;
      const d = i & 7;
      const m = (i >>> 3) & 7;
      if (sh === 0) return pure(`{ const v = r[${m}]; r[${d}] = v; ${nzOf('v')} }`);
      return pure(`{ const x = r[${m}]; const v = (x << ${sh}) >>> 0; cpu.c = (x >>> ${32 - sh}) & 1; r[${d}] = v; ${nzOf('v')} }`);
    }
    case t16.exec_LSR_immediate_T1: {
      const sh = (i >>> 6) & 31;
      const d = i & 7;
      const m = (i >>> 3) & 7;
      if (sh === 0) return pure(`{ const x = r[${m}]; cpu.c = x >>> 31; r[${d}] = 0; cpu.n = 0; cpu.z = 1; }`);
      return pure(`{ const x = r[${m}]; const v = x >>> ${sh}; cpu.c = (x >>> ${sh - 1}) & 1; r[${d}] = v; ${nzOf('v')} }`);
    }
    case t16.exec_data_processing_register_T1: {
      const d = i & 7;
      const m = (i >>> 3) & 7;
      const logical = (expr: string): Inline => pure(`{ const v = (${expr}) >>> 0; r[${d}] = v; ${nzOf('v')} }`);
      switch ((i >>> 6) & 15) {
        case 0: return logical(`r[${d}] & r[${m}]`);
        case 1: return logical(`r[${d}] ^ r[${m}]`);
        case 8: return pure(`{ const v = (r[${d}] & r[${m}]) >>> 0; ${nzOf('v')} }`);
        case 10: return pure(addWithFlags(`r[${d}]`, `~r[${m}] >>> 0`, '1', null));
        case 11: return pure(addWithFlags(`r[${d}]`, `r[${m}]`, '0', null));
        case 12: return logical(`r[${d}] | r[${m}]`);
        case 13: return logical(`Math.imul(r[${d}], r[${m}])`);
        case 14: return logical(`r[${d}] & ~r[${m}]`);
        case 15: return logical(`~r[${m}]`);
      }
      return null;
    }
    case t16.exec_MOV_register_T1: {
      const d = ((i >>> 4) & 8) | (i & 7);
      const m = (i >>> 3) & 15;
      if (d >= 13 || m === 15) return null;
      return pure(`r[${d}] = r[${m}];`);
    }
    case t16.exec_ADD_SP_plus_immediate_T2:
      return pure(`r[13] = r[13] + ${(i & 0x7f) << 2};`);
    case t16.exec_SUB_SP_minus_immediate_T1:
      return pure(`r[13] = r[13] - ${(i & 0x7f) << 2};`);
    case t16.exec_LDR_immediate_T1:
      return mem(`r[${i & 7}] = cpu.read32(r[${(i >>> 3) & 7}] + ${(i >>> 4) & 0x7c});`);
    case t16.exec_STR_immediate_T1:
      return mem(`cpu.write32(r[${(i >>> 3) & 7}] + ${(i >>> 4) & 0x7c}, r[${i & 7}]);`);
    case t16.exec_LDRB_immediate_T1:
      return mem(`r[${i & 7}] = cpu.read8(r[${(i >>> 3) & 7}] + ${(i >>> 6) & 31});`);
    case t16.exec_STRB_immediate_T1:
      return mem(`cpu.write8(r[${(i >>> 3) & 7}] + ${(i >>> 6) & 31}, r[${i & 7}]);`);
    case t16.exec_LDRH_immediate_T1:
      return mem(`r[${i & 7}] = cpu.read16(r[${(i >>> 3) & 7}] + ${(i >>> 5) & 0x3e});`);
    case t16.exec_STRH_immediate_T1:
      return mem(`cpu.write16(r[${(i >>> 3) & 7}] + ${(i >>> 5) & 0x3e}, r[${i & 7}]);`);
    case t16.exec_LDR_immediate_T2:
      return mem(`r[${(i >>> 8) & 7}] = cpu.read32(r[13] + ${(i & 0xff) << 2});`);
    case t16.exec_STR_immediate_T2:
      return mem(`cpu.write32(r[13] + ${(i & 0xff) << 2}, r[${(i >>> 8) & 7}]);`);
    case t16.exec_LDR_register_T1:
      return mem(`r[${i & 7}] = cpu.read32(r[${(i >>> 3) & 7}] + r[${(i >>> 6) & 7}]);`);
    case t16.exec_STR_register_T1:
      return mem(`cpu.write32(r[${(i >>> 3) & 7}] + r[${(i >>> 6) & 7}], r[${i & 7}]);`);
    case t16.exec_LDRB_register_T1:
      return mem(`r[${i & 7}] = cpu.read8(r[${(i >>> 3) & 7}] + r[${(i >>> 6) & 7}]);`);
    case dp32.exec_MOV_immediate_T3: {
      const d = (i >>> 8) & 15;
      if (d >= 13) return null;
      return pure(`r[${d}] = ${((i >>> 4) & 0xf000) | (((i >>> 15) & 0x800) | ((i >>> 4) & 0x700) | (i & 0xff))};`);
    }
    case dp32.exec_MOVT_T1: {
      const d = (i >>> 8) & 15;
      if (d >= 13) return null;
      const imm16 = ((i >>> 4) & 0xf000) | (((i >>> 15) & 0x800) | ((i >>> 4) & 0x700) | (i & 0xff));
      return pure(`r[${d}] = (${u32(imm16 << 16)} | (r[${d}] & 0xffff)) >>> 0;`);
    }
    case dp32.exec_dp_modified_immediate:
      return emitModifiedImmediate(i);
    case dp32.exec_dp_shifted_register:
      return emitShiftedRegister(i);
    case ls32.exec_ldst_imm8: {
      const n = (i >>> 16) & 15;
      const t = (i >>> 12) & 15;
      const p = (i >>> 10) & 1;
      const u = (i >>> 9) & 1;
      const w = (i >>> 8) & 1;
      if (n === 15 || t >= 13 || (p === 0 && w === 0) || (w && n === t)) return null;
      const isLoad = (i & 0x100000) !== 0;
      const imm = i & 0xff;
      const access = accessOf(i);
      const wb = w ? `r[${n}] = ${n === 13 ? 'oa & ~3' : 'oa'};` : '';
      const head = `const base = r[${n}]; const oa = (base ${u ? '+' : '-'} ${imm}) >>> 0; const addr = ${p ? 'oa' : 'base'};`;
      if (isLoad) return mem(`{ ${head} const v = ${access.read('addr')}; ${wb} r[${t}] = v; }`);
      return mem(`{ ${head} cpu.${access.write}(addr, r[${t}]); ${wb} }`);
    }
    case ls32.exec_ldst_register: {
      const n = (i >>> 16) & 15;
      const t = (i >>> 12) & 15;
      const m = i & 15;
      if (n === 15 || t >= 13 || m === 15) return null;
      const addr = `r[${n}] + (r[${m}] << ${(i >>> 4) & 3})`;
      const access = accessOf(i);
      if (i & 0x100000) return mem(`r[${t}] = ${access.read(addr)};`);
      return mem(`cpu.${access.write}(${addr}, r[${t}]);`);
    }
    case ls32.exec_ldst_imm12: {
      const n = (i >>> 16) & 15;
      const t = (i >>> 12) & 15;
      if (n === 15 || t >= 13) return null;
      const addr = `r[${n}] + ${i & 0xfff}`;
      const size = (i >>> 21) & 3;
      const signed = (i & 0x1000000) !== 0;
      if (i & 0x100000) {
        const read = size === 0 ? `cpu.read8(${addr})` : size === 1 ? `cpu.read16(${addr})` : `cpu.read32(${addr})`;
        const value = signed ? (size === 0 ? `((${read} << 24) >> 24) >>> 0` : `((${read} << 16) >> 16) >>> 0`) : read;
        return mem(`r[${t}] = ${value};`);
      }
      const write = size === 0 ? 'write8' : size === 1 ? 'write16' : 'write32';
      return mem(`cpu.${write}(${addr}, r[${t}]);`);
    }
  }
  return null;
}

/** Data processing (modified immediate) with the constant expanded at translation time. */
function emitModifiedImmediate(i: number): Inline | null {
  const op = (i >>> 21) & 15;
  const s = (i & 0x100000) !== 0;
  const n = (i >>> 16) & 15;
  const d = (i >>> 8) & 15;
  const imm12 = ((i >>> 15) & 0x800) | ((i >>> 4) & 0x700) | (i & 0xff);
  const imm = thumbExpandImmValue(imm12);
  const compare = d === 15 && s;
  if ((d >= 13 && !compare) || (n === 15 && op !== 2 && op !== 3)) return null;
  const a = n === 15 ? '0' : `r[${n}]`;
  const dest = compare ? null : `r[${d}]`;
  if (op < 8) {
    let expr: string;
    switch (op) {
      case 0: expr = `${a} & ${u32(imm)}`; break;
      case 1: expr = `${a} & ${u32(~imm)}`; break;
      case 2: expr = `${a} | ${u32(imm)}`; break;
      case 3: expr = `${a} | ${u32(~imm)}`; break;
      case 4: expr = `${a} ^ ${u32(imm)}`; break;
      default: return null;
    }
    const carry = s && (imm12 & 0xc00) !== 0 ? ` cpu.c = ${imm >>> 31};` : '';
    const flags = s ? ` ${nzOf('v')}${carry}` : '';
    return { code: `{ const v = (${expr}) >>> 0; ${dest ? `${dest} = v;` : ''}${flags} }`, pure: true };
  }
  const not = u32(~imm);
  switch (op) {
    case 8: return { code: s ? addWithFlags(a, u32(imm), '0', dest) : `${dest} = (${a} + ${u32(imm)}) >>> 0;`, pure: true };
    case 10: return { code: s ? addWithFlags(a, u32(imm), 'cpu.c', dest) : `${dest} = (${a} + ${u32(imm)} + cpu.c) >>> 0;`, pure: true };
    case 11: return { code: s ? addWithFlags(a, not, 'cpu.c', dest) : `${dest} = (${a} + ${not} + cpu.c) >>> 0;`, pure: true };
    case 13: return { code: s ? addWithFlags(a, not, '1', dest) : `${dest} = (${a} - ${u32(imm)}) >>> 0;`, pure: true };
    case 14: return { code: s ? addWithFlags(`~${a} >>> 0`, u32(imm), '1', dest) : `${dest} = (${u32(imm)} - ${a}) >>> 0;`, pure: true };
  }
  return null;
}

/** The size and signedness of a single load/store (hw1 bit 8 S, bits [6:5] size). */
function accessOf(i: number): { read: (addr: string) => string; write: string } {
  const size = (i >>> 21) & 3;
  const signed = (i & 0x1000000) !== 0;
  return {
    read: (addr) => {
      const read = size === 0 ? `cpu.read8(${addr})` : size === 1 ? `cpu.read16(${addr})` : `cpu.read32(${addr})`;
      return signed ? (size === 0 ? `((${read} << 24) >> 24) >>> 0` : `((${read} << 16) >> 16) >>> 0`) : read;
    },
    write: size === 0 ? 'write8' : size === 1 ? 'write16' : 'write32',
  };
}

/** Data processing (shifted register) with the shift decoded at translation time. */
function emitShiftedRegister(i: number): Inline | null {
  const op = (i >>> 21) & 15;
  const s = (i & 0x100000) !== 0;
  const n = (i >>> 16) & 15;
  const d = (i >>> 8) & 15;
  const m = i & 15;
  const type = (i >>> 4) & 3;
  const imm5 = ((i >>> 10) & 0x1c) | ((i >>> 6) & 3);
  const compare = d === 15 && s;
  if ((d >= 13 && !compare) || m === 15 || (n === 15 && op !== 2 && op !== 3)) return null;
  const logical = op < 8;
  const setCarry = s && logical;
  // b = the shifted operand; cOut = its carry (only when the flags take it)
  let b: string;
  let cOut = '';
  switch (type) {
    case 0:
      b = imm5 === 0 ? 'x' : `(x << ${imm5}) >>> 0`;
      if (imm5 !== 0) cOut = `(x >>> ${32 - imm5}) & 1`;
      break;
    case 1:
      b = imm5 === 0 ? '0' : `x >>> ${imm5}`;
      cOut = imm5 === 0 ? 'x >>> 31' : `(x >>> ${imm5 - 1}) & 1`;
      break;
    case 2:
      b = imm5 === 0 ? '(x >> 31) >>> 0' : `(x >> ${imm5}) >>> 0`;
      cOut = imm5 === 0 ? 'x >>> 31' : `(x >>> ${imm5 - 1}) & 1`;
      break;
    default:
      if (imm5 === 0) {
        b = '((cpu.c << 31) | (x >>> 1)) >>> 0'; // RRX
        cOut = 'x & 1';
      } else {
        b = `((x >>> ${imm5}) | (x << ${32 - imm5})) >>> 0`;
        cOut = 'sb >>> 31';
      }
  }
  const a = n === 15 ? '0' : `r[${n}]`;
  const dest = compare ? null : `r[${d}]`;
  const pre = `const x = r[${m}]; const sb = ${b};${setCarry && cOut ? ` cpu.c = ${cOut};` : ''}`;
  if (logical) {
    let expr: string;
    switch (op) {
      case 0: expr = `${a} & sb`; break;
      case 1: expr = `${a} & ~sb`; break;
      case 2: expr = `${a} | sb`; break;
      case 3: expr = `${a} | ~sb`; break;
      case 4: expr = `${a} ^ sb`; break;
      default: return null;
    }
    return { code: `{ ${pre} const v = (${expr}) >>> 0; ${dest ? `${dest} = v;` : ''}${s ? ` ${nzOf('v')}` : ''} }`, pure: true };
  }
  let body: string;
  switch (op) {
    case 8: body = s ? addWithFlags(a, 'sb', '0', dest) : `${dest} = (${a} + sb) >>> 0;`; break;
    case 10: body = s ? addWithFlags(a, 'sb', 'cpu.c', dest) : `${dest} = (${a} + sb + cpu.c) >>> 0;`; break;
    case 11: body = s ? addWithFlags(a, '~sb >>> 0', 'cpu.c', dest) : `${dest} = (${a} + (~sb >>> 0) + cpu.c) >>> 0;`; break;
    case 13: body = s ? addWithFlags(a, '~sb >>> 0', '1', dest) : `${dest} = (${a} - sb) >>> 0;`; break;
    case 14: body = s ? addWithFlags(`~${a} >>> 0`, 'sb', '1', dest) : `${dest} = (sb - ${a}) >>> 0;`; break;
    default: return null;
  }
  return { code: `{ ${pre} ${body} }`, pure: true };
}
