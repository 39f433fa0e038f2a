// `monitor traceswo` in gdb-multiarch against `tsprobe gdb` on the simulated MPS2 board:
// tsprobe sets up TPIU and ITM (the board's trace clock is known), the ITM demo's port-0
// text appears on the gdb console while the target runs, all of it up to the stop before
// gdb reports the stop (the trace port drains its FIFO while the core is halted, as a
// real chip's does); `monitor traceswo disable` ends it; a bad argument gets the usage.
import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gdbAvailable, runGdb } from './gdb-runner.js';
import { ROOT, mark, section, startTsprobe } from './harness.js';
import { TEST_ENV } from '../support/tsprobe-server.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/itm-demo.elf');

test('gdb-multiarch: monitor traceswo shows the ITM text while the target runs', { skip: gdbAvailable() ? false : 'gdb-multiarch is not installed' }, async () => {
  const server = await startTsprobe(['gdb', '--target', 'sim:mps2-an385', '--port', '0'], { env: TEST_ENV });
  try {
    const run = await runGdb({
      elf: ELF,
      timeoutMs: 30000,
      commands: [
        `target extended-remote 127.0.0.1:${server.port}`,
        'load',
        'monitor reset halt', // MSP and PC from the vector table
        mark('on'),
        'monitor traceswo',
        // Stop once the third line has been written (a DWT watchpoint, condition checked by gdb), then after the fifth.
        'watch itm_lines if itm_lines == 3 || itm_lines == 5',
        mark('run'),
        'continue',
        mark('run2'),
        'continue',
        mark('bad'),
        'monitor traceswo fast',
        mark('off'),
        'monitor traceswo disable',
        'detach',
      ],
    });
    assert.equal(run.timedOut, false, run.output);
    assert.match(section(run.output, 'on'), /SWO trace enabled: 1923076 baud NRZ, ports 0x1 .*TPIU prescaler 13 from 25000000 Hz/);
    const traced = (name: string) => {
      const ran = section(run.output, name).replace(/^\n/, '');
      assert.match(ran, /Hardware watchpoint \d+: itm_lines/);
      return ran.slice(0, ran.indexOf('\nHardware watchpoint')); // gdb starts its stop report on a new line
    };
    const lines = (from: number, to: number) => [...Array(to - from).keys()].map((k) => `itm-demo: line ${from + k}\n`).join('');
    assert.equal(traced('run'), lines(0, 3));
    assert.equal(traced('run2'), lines(3, 5));
    assert.match(section(run.output, 'run2'), /New value = 5/);
    assert.match(section(run.output, 'bad'), /usage: monitor traceswo/);
    assert.match(section(run.output, 'off'), /SWO trace disabled/);
  } finally {
    await server.stop();
  }
});
