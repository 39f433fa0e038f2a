// Differential test (a): our C self-test at -O0, -O2 and -Os on the three MPS2 boards,
// run on QEMU and on the simulator, compared after every instruction (r0-r15, xPSR),
// then the UART and semihosting output and the exit status. The firmware prints a
// checksum of its data and bss at the end, so the final memory is compared too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQemuTrace, qemuAvailable } from './qemu-trace.js';
import { runSimTrace } from './sim-trace.js';
import { compareTraces, functionRanges, symbolizer } from './compare.js';
import { MPS2_BOARDS, firmwarePath, symbolsOf } from './firmware-paths.js';
import { adoptFromQemu, semihostingR0, exceptionEntry } from './adopt.js';

const skip = qemuAvailable() ? false : 'qemu-system-arm is not installed (the oracle)';
// Time-dependent code in the self-test (see firmware/src/selftest.c).
const OPAQUE_FUNCTIONS = ['wait_for_systick_countflag'];
// Known divergences caused by simulator bugs, marked todo so the suite stays green
// while they are open: `${board} ${opt}` -> reason.
const KNOWN: Record<string, string> = {};

let total = 0;

for (const board of MPS2_BOARDS) {
  for (const opt of ['O0', 'O2', 'Os']) {
    const name = `${board} ${opt}`;
    test(`selftest-${opt} on ${board}: QEMU and the simulator agree after every instruction`, { skip, todo: KNOWN[name] }, async (t) => {
      const elf = firmwarePath(board, `selftest-${opt}.elf`);
      const q = await runQemuTrace({ board, elf, timeoutMs: 60_000 });
      assert.equal(q.timedOut, false, 'QEMU timed out');
      assert.equal(q.status, 0, `the self-test fails on QEMU itself (status ${q.status}):\n${q.uart}`);
      assert.ok(q.trace.count > 5000, `QEMU logged only ${q.trace.count} states`);

      const unknown = { adopted: 0 };
      const entries = { adopted: 0 };
      const opaque = functionRanges(symbolsOf(elf), OPAQUE_FUNCTIONS);
      const s = runSimTrace({
        board,
        elf,
        maxStates: q.trace.count + 10_000,
        afterStep: adoptFromQemu(q.trace, opaque, [semihostingR0(q.trace, unknown), exceptionEntry(q.trace, entries)]),
      });
      const result = compareTraces(q.trace, s.trace, {
        fetch16: (a) => s.board.bus.read16(a),
        symbolize: symbolizer(s.image.symbols),
        opaque,
      });
      total += result.compared;
      t.diagnostic(`${result.compared} instructions compared (${result.opaqueSkipped} in opaque polling code, ${result.entryRealigned} realigned at exception entry, ${unknown.adopted} r0 after semihosting calls and ${entries.adopted} exception entries with UNKNOWN values taken from QEMU); simulator ended: ${s.end}${s.message ? ' - ' + s.message : ''}`);
      if (result.divergence) assert.fail(`${name}: QEMU and the simulator diverge\n${result.divergence.report}`);
      assert.equal(s.uart, q.uart, 'UART0 output differs');
      assert.equal(s.semihosting, q.semihosting, 'semihosting output differs');
      assert.equal(s.status, q.status, 'exit status differs');
    });
  }
}

test('selftest differential: total', { skip }, (t) => {
  t.diagnostic(`${total} instructions compared over ${MPS2_BOARDS.length} boards x 3 optimisation levels`);
});
