// The simulated core against QEMU 7.2, the oracle: programs in fixtures/*.s were run on
// qemu-system-arm (mps2-an385, -singlestep -d cpu) by fixtures/record-qemu.mjs, which stored
// the binary and the registers (r0-r15, xPSR) before every instruction. Here the same
// binary runs on our core, one step at a time, and every state must match.
// The programs cover: 16-bit data processing and flags, loads/stores, PUSH/POP, IT blocks
// (thumb16.s); 32-bit data processing, bitfields, saturation, multiplies, divides, every
// load/store form, LDRD/STRD, exclusives, MRS/MSR, TBB/TBH (thumb32.s); SVC, PendSV,
// stack alignment, DIV_0_TRP, UDF, PSP, NVIC interrupts, tail-chaining, BASEPRI
// (exceptions.s); BusFault escalation, UNALIGN_TRP, NMI, SVC escalation, PRIGROUP,
// unprivileged MSR/CPS, invalid EXC_RETURN (faults.s); unprivileged SCS access and STIR
// (privilege.s).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Bus } from '../../../src/sim/bus.js';
import { Clock } from '../../../src/sim/clock.js';
import { Cpu } from '../../../src/sim/cpu/cpu.js';
import { mapScs } from '../../../src/sim/scs/scs.js';

// dist/test/sim/cpu -> test/sim/cpu/fixtures
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/sim/cpu/fixtures');
const NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc', 'xpsr'];

interface Trace {
  source: string;
  core: string;
  bin: string;
  states: Record<string, string>[];
}

function runTrace(name: string): number {
  const trace = JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.trace.json`), 'utf8')) as Trace;
  // QEMU's MPS2 memory map (4 MiB at 0 and at 0x20000000) and its NVIC (8 priority bits)
  const bus = new Bus();
  const clock = new Clock(25_000_000);
  const flash = bus.mapMemory('ssram1', 0, 0x400000);
  bus.mapMemory('ssram2', 0x20000000, 0x400000);
  flash.bytes!.set(Buffer.from(trace.bin, 'hex'));
  const dsp = trace.core === 'cortex-m4';
  const cpu = new Cpu({ name: trace.core, cpuid: dsp ? 0x410fc241 : 0x412fc231, dsp, irqs: 32, priorityBits: 8 }, bus, clock);
  mapScs(bus, cpu);
  cpu.reset();
  const expected = new Array<number>(17).fill(0);
  let lastPc = -1;
  trace.states.forEach((change, step) => {
    for (const k in change) expected[Number(k)] = parseInt(change[k], 16);
    const ours = [...cpu.r.slice(0, 15), cpu.pc, cpu.xpsr];
    const diffs = NAMES.filter((_, k) => ours[k] >>> 0 !== expected[k] >>> 0).map(
      (n) => `${n}: qemu 0x${(expected[NAMES.indexOf(n)] >>> 0).toString(16)}, ours 0x${(ours[NAMES.indexOf(n)] >>> 0).toString(16)}`,
    );
    assert.deepEqual(diffs, [], `${trace.source} step ${step} (after the instruction at 0x${lastPc.toString(16)})`);
    lastPc = cpu.pc;
    cpu.step();
  });
  return trace.states.length;
}

for (const name of ['thumb16', 'thumb32', 'exceptions', 'faults', 'privilege']) {
  test(`matches QEMU step by step: ${name}.s`, () => {
    const n = runTrace(name);
    assert.ok(n > 40, `the trace has ${n} states`);
  });
}

// The same programs through run() with block translation on: the final state (the program's
// closing `b .`) must be QEMU's last state.
for (const name of ['thumb16', 'thumb32', 'exceptions', 'privilege']) {
  test(`run() with translated blocks ends where QEMU ends: ${name}.s`, () => {
    const trace = JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.trace.json`), 'utf8')) as Trace;
    const bus = new Bus();
    const clock = new Clock(25_000_000);
    const flash = bus.mapMemory('ssram1', 0, 0x400000);
    bus.mapMemory('ssram2', 0x20000000, 0x400000);
    flash.bytes!.set(Buffer.from(trace.bin, 'hex'));
    const cpu = new Cpu({ name: trace.core, cpuid: 0x412fc231, dsp: false, irqs: 32, priorityBits: 8 }, bus, clock);
    mapScs(bus, cpu);
    cpu.reset();
    cpu.translate = true;
    cpu.translateAfter = 1;
    cpu.run(trace.states.length * 4);
    const expected = new Array<number>(17).fill(0);
    for (const change of trace.states) for (const k in change) expected[Number(k)] = parseInt(change[k], 16);
    const ours = [...cpu.r.slice(0, 15), cpu.pc, cpu.xpsr].map((v) => v >>> 0);
    assert.deepEqual(ours, expected.map((v) => v >>> 0));
  });
}
