// `monitor rtt` in gdb-multiarch against `tsprobe gdb` on the simulated MPS2 board with
// the RTT demo: the control block is found in RAM once the firmware has set it up, up
// channel 0 reaches the gdb console while the target runs (all of it up to each stop),
// status and disable answer; before the firmware has run, the search says what it saw.
import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gdbAvailable, runGdb } from './gdb-runner.js';
import { ROOT, mark, section, startTsprobe } from './harness.js';
import { TEST_ENV } from '../support/tsprobe-server.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/rtt-demo.elf');

test('gdb-multiarch: monitor rtt shows the firmware\'s RTT output while the target runs', { skip: gdbAvailable() ? false : 'gdb-multiarch is not installed' }, async () => {
  const server = await startTsprobe(['gdb', '--target', 'sim:mps2-an385', '--port', '0'], { env: TEST_ENV });
  try {
    const run = await runGdb({
      elf: ELF,
      timeoutMs: 30000,
      commands: [
        `target extended-remote 127.0.0.1:${server.port}`,
        'load',
        'monitor reset halt',
        mark('early'),
        'monitor rtt',
        'watch rtt_lines if rtt_lines == 1',
        'continue',
        'delete',
        mark('on'),
        'monitor rtt',
        'watch rtt_lines if rtt_lines == 4',
        mark('run'),
        'continue',
        mark('status'),
        'monitor rtt status',
        'monitor rtt disable',
        'detach',
      ],
    });
    assert.equal(run.timedOut, false, run.output);
    assert.match(section(run.output, 'early'), /no RTT control block \('SEGGER RTT'\) in 0x20000000\+0x10000/);
    assert.match(section(run.output, 'on'), /RTT enabled: RTT control block at 0x20000480: up 0 'Terminal' 1024 B; down 0 'Terminal' 64 B/);
    const ran = section(run.output, 'run').replace(/^\n/, '');
    const text = ran.slice(0, ran.indexOf('\nHardware watchpoint'));
    assert.equal(text, 'rtt-demo: line 0\nrtt-demo: line 1\nrtt-demo: line 2\nrtt-demo: line 3\n');
    assert.match(section(run.output, 'status'), /RTT enabled: .*, 68 bytes so far\nRTT disabled/);
  } finally {
    await server.stop();
  }
});
