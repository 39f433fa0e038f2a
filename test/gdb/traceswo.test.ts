// `monitor traceswo` in gdb-multiarch against `tsprobe gdb` on the simulated MPS2 board:
// tsprobe sets up TPIU and ITM (the board's trace clock is known), the ITM demo's port-0
// text appears on the gdb console while the target runs, what has left the SWO pin by
// the stop before gdb reports the stop (the last few bytes are still in the ITM's FIFO
// then, as on hardware; they follow on the next continue); `monitor traceswo disable`
// ends it; a bad argument gets the usage.
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
    const first = traced('run');
    const both = first + traced('run2');
    const expected = [0, 1, 2, 3, 4, 5].map((n) => `itm-demo: line ${n}\n`).join('');
    assert.ok(first.startsWith('itm-demo: line 0\nitm-demo: line 1\n'), first);
    assert.ok(expected.startsWith(both) && both.length >= expected.indexOf('line 4'), `${JSON.stringify(both)}`);
    assert.match(section(run.output, 'run2'), /New value = 5/);
    assert.match(section(run.output, 'bad'), /usage: monitor traceswo/);
    assert.match(section(run.output, 'off'), /SWO trace disabled/);
  } finally {
    await server.stop();
  }
});
