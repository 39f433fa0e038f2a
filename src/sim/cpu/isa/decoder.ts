// The decoder, generated from the encoding lists of the class files.
//  - 16-bit: a 64K-entry table indexed by the halfword.
//  - 32-bit: table32[hw1 & 0x1fff][hw2 >>> 4]. The first level covers every bit of hw1; the
//    second hw2[15:4]. Where hw2[3:0] still decides (hints, barriers, a few Rm=1111 forms),
//    the leaf is a small closure that tests the remaining candidates in order.
// The most specific pattern (most fixed bits) wins; among equals the one listed first.

import type { CoreConfig } from '../cpu.js';
import type { Encoding, Exec } from './encoding.js';
import { thumb16Encodings } from './thumb16.js';
import { dataProcessing32Encodings } from './dataproc32.js';
import { loadStore32Encodings } from './loadstore32.js';
import { multiply32Encodings } from './multiply32.js';
import { control32Encodings } from './control32.js';
import { coprocessorEncodings } from './coprocessor.js';
import { dspEncodings } from './dsp.js';
import { fpuEncodings } from './fpu.js';

export interface Decoder {
  readonly table16: Exec[];
  readonly table32: Exec[][];
  /** The encodings this decoder was built from (after config filtering). */
  readonly encodings: readonly Encoding[];
}

/** Every encoding known to the simulator, including the optional DSP and FPU ones. */
export function allEncodings(): Encoding[] {
  return [
    ...thumb16Encodings,
    ...dataProcessing32Encodings,
    ...loadStore32Encodings,
    ...multiply32Encodings,
    ...control32Encodings,
    ...coprocessorEncodings,
    ...dspEncodings.map((e) => ({ ...e, requires: e.requires ?? ('dsp' as const) })),
    ...fpuEncodings,
  ];
}

/** The encodings a core with this configuration decodes. */
export function encodingsFor(config: Pick<CoreConfig, 'dsp' | 'fpu'>): Encoding[] {
  return allEncodings().filter((e) => {
    if (!e.requires) return true;
    if (e.requires === 'dsp') return config.dsp;
    if (e.requires === 'fpu') return config.fpu !== undefined;
    return config.fpu === 'fpv5-dp';
  });
}

interface Parsed {
  readonly enc: Encoding;
  readonly bits: 16 | 32;
  readonly mask: number; // int32
  readonly value: number; // int32
  readonly fixed: number; // number of fixed bits
  readonly order: number; // position in the list, for ties
}

export function parsePattern(pattern: string): { bits: 16 | 32; mask: number; value: number; fixed: number } {
  const p = pattern.replace(/[\s_]/g, '');
  if (p.length !== 16 && p.length !== 32) throw new Error(`pattern '${pattern}' has ${p.length} bits, expected 16 or 32`);
  let mask = 0;
  let value = 0;
  let fixed = 0;
  for (let i = 0; i < p.length; i++) {
    const bit = p.length - 1 - i;
    const ch = p[i];
    if (ch === '0' || ch === '1') {
      mask |= 1 << bit;
      if (ch === '1') value |= 1 << bit;
      fixed++;
    } else if (ch !== 'x') throw new Error(`pattern '${pattern}': bad character '${ch}'`);
  }
  return { bits: p.length as 16 | 32, mask: mask | 0, value: value | 0, fixed };
}

const undefinedInstruction: Exec = (cpu) => cpu.undefined();

function compareSpecificity(a: Parsed, b: Parsed): number {
  return b.fixed - a.fixed || a.order - b.order; // most specific first, then list order
}

export function buildDecoder(encodings: readonly Encoding[]): Decoder {
  const parsed: Parsed[] = encodings.map((enc, order) => ({ enc, order, ...parsePattern(enc.pattern) }));
  const p16 = parsed.filter((p) => p.bits === 16);
  const p32 = parsed.filter((p) => p.bits === 32);

  // 16-bit: fill least specific first so that more specific entries overwrite.
  const table16: Exec[] = new Array(0x10000).fill(undefinedInstruction);
  const asc16 = [...p16].sort((a, b) => compareSpecificity(b, a));
  for (const p of asc16) {
    const free = ~p.mask & 0xffff;
    // enumerate every value of the free bits (subset enumeration)
    let sub = 0;
    do {
      table16[(p.value | sub) & 0xffff] = p.enc.exec;
      sub = (sub - free) & free;
    } while (sub !== 0);
  }

  // 32-bit: group the hw1 values by the candidates that match them, build one second level per group.
  const undefinedLevel2: Exec[] = new Array(4096).fill(undefinedInstruction);
  const table32: Exec[][] = new Array(0x2000).fill(undefinedLevel2);
  const groups = new Map<string, Exec[]>();
  const sorted32 = [...p32].sort(compareSpecificity);
  for (let hw1 = 0xe800; hw1 <= 0xffff; hw1++) {
    const cands = sorted32.filter((p) => ((hw1 << 16) & p.mask & 0xffff0000) === (p.value & 0xffff0000));
    if (cands.length === 0) continue;
    const key = cands.map((c) => c.order).join(',');
    let level2 = groups.get(key);
    if (!level2) {
      level2 = buildLevel2(cands);
      groups.set(key, level2);
    }
    table32[hw1 & 0x1fff] = level2;
  }
  return { table16, table32, encodings };
}

function buildLevel2(cands: Parsed[]): Exec[] {
  const level2: Exec[] = new Array(4096);
  const leaves = new Map<string, Exec>();
  for (let k = 0; k < 4096; k++) {
    const hw2hi = k << 4;
    const list: Parsed[] = [];
    for (const c of cands) {
      const m = c.mask & 0xfff0;
      if ((hw2hi & m) === (c.value & m)) {
        list.push(c);
        if ((c.mask & 0xf) === 0) break; // matches every hw2[3:0]: nothing after it can win
      }
    }
    const key = list.map((c) => c.order).join(',');
    let leaf = leaves.get(key);
    if (!leaf) {
      leaf = makeLeaf(list);
      leaves.set(key, leaf);
    }
    level2[k] = leaf;
  }
  return level2;
}

function makeLeaf(list: Parsed[]): Exec {
  if (list.length === 0) return undefinedInstruction;
  if (list.length === 1 && (list[0].mask & 0xf) === 0) return list[0].enc.exec;
  const masks = list.map((c) => c.mask);
  const values = list.map((c) => c.value);
  const execs = list.map((c) => c.enc.exec);
  const count = list.length;
  return (cpu, insn) => {
    for (let i = 0; i < count; i++) {
      if ((insn & masks[i]) === values[i]) {
        execs[i](cpu, insn);
        return;
      }
    }
    cpu.undefined();
  };
}

const cache = new Map<string, Decoder>();

/** The decoder for a configuration, built once per process and shared by every core. */
export function getDecoder(config: Pick<CoreConfig, 'dsp' | 'fpu'>): Decoder {
  const key = `${config.dsp ? 'dsp' : ''}/${config.fpu ?? ''}`;
  let d = cache.get(key);
  if (!d) {
    d = buildDecoder(encodingsFor(config));
    cache.set(key, d);
  }
  return d;
}

/** The encoding an instruction decodes to (for tools and coverage), or undefined if UNDEFINED. */
export function decodeToEncoding(encodings: readonly Encoding[], insn: number, is32: boolean): Encoding | undefined {
  let best: Parsed | undefined;
  encodings.forEach((enc, order) => {
    const p = { enc, order, ...parsePattern(enc.pattern) };
    if ((p.bits === 32) !== is32) return;
    if ((insn & p.mask) !== p.value) return;
    if (!best || compareSpecificity(p, best) < 0) best = p;
  });
  return best?.enc;
}
