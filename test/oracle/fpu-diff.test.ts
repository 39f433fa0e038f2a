// Differential test of the FPU (see fpu-diff.ts): generated VFP streams on QEMU 7.2 and on
// the simulator, compared before every instruction (r0-r15, NZCV, S0-S31, FPSCR).
// mps2-an500 (Cortex-M7, FPv5 with double precision) and mps2-an386 (Cortex-M4, FPv4-SP).
// TSPROBE_FPU_SEEDS=n runs n seeds per board (default 6), TSPROBE_ORACLE_SEED another base.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qemuAvailable } from './qemu-trace.js';
import { generateFpuProgram, runFpuProgram, firstMismatch, toolsAvailable, exceptionProgram, faultProgram } from './fpu-diff.js';

const skip = !qemuAvailable() ? 'qemu-system-arm is not installed (the oracle)' : !toolsAvailable() ? 'arm-none-eabi binutils are not installed' : false;
const SEEDS = Number(process.env.TSPROBE_FPU_SEEDS ?? 6);
const BASE = Number(process.env.TSPROBE_ORACLE_SEED ?? 1);

for (const board of ['mps2-an500', 'mps2-an386']) {
  test(`FPU streams on ${board}: QEMU and the simulator agree before every instruction`, { skip }, () => {
    let states = 0;
    let fpscrs = 0;
    for (let seed = BASE; seed < BASE + SEEDS; seed++) {
      const prog = generateFpuProgram(seed * 7919 + (board === 'mps2-an500' ? 1 : 2), 40, board === 'mps2-an500');
      const run = runFpuProgram(board, prog);
      assert.equal(run.qemu.length, prog.count, `seed ${seed}: QEMU logged ${run.qemu.length} states, the program has ${prog.count} instructions`);
      const m = firstMismatch(run);
      assert.equal(m, null, m ? `seed ${seed}, state ${m.index}, after ${m.insn}: ${m.what}` : '');
      states += run.qemu.length;
      fpscrs += new Set(run.qemu.map((s) => s.fpscr)).size;
    }
    console.log(`# ${board}: ${states} states compared, ${fpscrs} distinct FPSCR values seen`);
  });
}

for (const board of ['mps2-an500', 'mps2-an386']) {
  test(`FP context on exceptions on ${board} (extended frame, lazy and immediate stacking): QEMU and the simulator agree`, { skip }, () => {
    const run = runFpuProgram(board, exceptionProgram(board === 'mps2-an500'));
    assert.ok(run.qemu.length > 60, `QEMU logged only ${run.qemu.length} states`);
    const m = firstMismatch(run);
    assert.equal(m, null, m ? `state ${m.index}, after ${m.insn}: ${m.what}` : '');
  });
}

for (const board of ['mps2-an500', 'mps2-an386']) {
  test(`NOCP and UNDEFINSTR around the FPU on ${board} (CPACR off, privileged-only, non-FP cp10/cp11 encodings): QEMU and the simulator agree`, { skip }, () => {
    const run = runFpuProgram(board, faultProgram(board === 'mps2-an500'));
    assert.ok(run.qemu.length > 80, `QEMU logged only ${run.qemu.length} states`);
    const m = firstMismatch(run);
    assert.equal(m, null, m ? `state ${m.index}, after ${m.insn}: ${m.what}` : '');
  });
}
