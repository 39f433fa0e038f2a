// A tiny machine for CPU tests: 64 KiB of code at 0, 64 KiB of RAM at 0x20000000, the SCS,
// and helpers to place hand-assembled halfwords, set registers and step.

import { Bus } from '../../../src/sim/bus.js';
import { Clock } from '../../../src/sim/clock.js';
import { Cpu, type CoreConfig } from '../../../src/sim/cpu/cpu.js';
import { mapScs } from '../../../src/sim/scs/scs.js';

export const M3: CoreConfig = { name: 'cortex-m3', cpuid: 0x412fc231, dsp: false, irqs: 32, priorityBits: 3 };
export const M4: CoreConfig = { name: 'cortex-m4', cpuid: 0x410fc241, dsp: true, irqs: 32, priorityBits: 3 };

export const CODE = 0x100; // where test code is placed (after a small vector table)
export const RAM = 0x20000000;
export const STACK_TOP = RAM + 0x8000;

export interface Machine {
  cpu: Cpu;
  bus: Bus;
  clock: Clock;
  /** Write halfwords at CODE (or `at`), reset the core and point it there. */
  load(halfwords: number[], at?: number): void;
  /** Execute n instructions. */
  steps(n: number): void;
  /** Set a vector table entry (exception number n) to a handler address (Thumb bit added). */
  vector(n: number, handler: number): void;
}

export function machine(config: CoreConfig = M3): Machine {
  const bus = new Bus();
  const clock = new Clock(25_000_000);
  const flash = bus.mapMemory('code', 0, 0x10000);
  bus.mapMemory('ram', RAM, 0x10000);
  const cpu = new Cpu(config, bus, clock);
  mapScs(bus, cpu);
  const words = new DataView(flash.bytes!.buffer);
  words.setUint32(0, STACK_TOP, true);
  words.setUint32(4, CODE | 1, true);
  const m: Machine = {
    cpu,
    bus,
    clock,
    load(halfwords, at = CODE) {
      // through the bus, as a loader or debugger writes: translated blocks notice it
      const bytes = new Uint8Array(halfwords.length * 2);
      halfwords.forEach((h, i) => new DataView(bytes.buffer).setUint16(2 * i, h, true));
      bus.load(at, bytes);
      cpu.reset();
      cpu.pc = at;
    },
    steps(n) {
      for (let i = 0; i < n; i++) cpu.step();
    },
    vector(n, handler) {
      words.setUint32(4 * n, (handler | 1) >>> 0, true);
    },
  };
  cpu.reset();
  return m;
}

/** Split 32-bit Thumb encodings (hw1 << 16 | hw2) into halfwords; 16-bit values pass through. */
/** xorshift32 from a seed, so random test programs are the same on every run. */
export function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

export function thumb(...insns: number[]): number[] {
  const out: number[] = [];
  for (const i of insns) {
    if (i > 0xffff) out.push(i >>> 16, i & 0xffff);
    else out.push(i);
  }
  return out;
}
