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
import type { Exec } from './encoding.js';
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
const STRAIGHT_CLASSES = new Set([
  'data-processing', 'data-processing-immediate', 'data-processing-register', 'shift', 'move', 'compare',
  'add-sub', 'load', 'store', 'address', 'extend', 'reverse', 'bitfield', 'saturate', 'count', 'multiply',
  'long-multiply', 'divide', 'load-store-dual', 'load-store-multiple', 'exclusive', 'barrier',
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
    // the clock as the interpreter has it: cycles before this instruction
    lines.push(`clock.now = now + n + ${k}; r[15] = ${addr + 4}; cpu._pc = ${next}; h[${k}](cpu, ${insn});`);
    index += size >>> 1;
    const last = !straight.has(exec) || exec === itTerminator || handlers.length === MAX_BLOCK;
    if (last) break;
    lines.push(`if (cpu._pc !== ${next} || cpu.attention) return n + ${k + 1};`);
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
