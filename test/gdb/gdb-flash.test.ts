// gdb's `load` into the simulated STM32H743's flash with Debian's gdb-multiarch:
// `tsprobe gdb --target sim:stm32h743` runs as a separate process, gdb reads the memory
// map (qXfer:memory-map), erases and programs through vFlashErase/vFlashWrite/vFlashDone,
// compare-sections checks the result (qCRC), and `monitor erase_mass` empties the flash.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { gdbAvailable, runGdb } from './gdb-runner.js';
import { ROOT, mark, section, startTsprobe, type TsprobeServer } from './harness.js';

const ELF = join(ROOT, 'firmware/build/stm32h743/demo.elf');
const skip = !gdbAvailable() ? 'gdb-multiarch is not installed' : !existsSync(ELF) ? `${ELF} not built` : false;

let server: TsprobeServer | null = null;
let port = 0;

before(async () => {
  if (skip) return;
  server = await startTsprobe(['gdb', '--target', 'sim:stm32h743', '--port', '0']);
  port = server.port;
});

after(async () => {
  await server?.stop();
});

test('gdb-multiarch: memory map, load into flash, compare-sections, monitor erase_mass, erase_range', { skip }, async () => {
  const r = await runGdb({
    elf: ELF,
    timeoutMs: 60000,
    commands: [
      `target extended-remote 127.0.0.1:${port}`,
      mark('mem'),
      'info mem',
      mark('load'),
      'load',
      mark('compare'),
      'compare-sections',
      mark('vectors'),
      'x/2x 0x08000000',
      mark('mass'),
      'monitor erase_mass',
      'x/4x 0x08000000',
      mark('reload'),
      'load',
      'compare-sections',
      mark('range'),
      'monitor erase_range 0x08000000 0x20',
      'x/4x 0x08000000',
      mark('end'),
    ],
  });
  assert.equal(r.timedOut, false, r.output);
  const mem = section(r.output, 'mem');
  assert.match(mem, /0x08000000 0x08100000 flash blocksize 0x20000/);
  assert.match(mem, /0x08100000 0x08200000 flash blocksize 0x20000/);
  assert.match(section(r.output, 'load'), /Loading section \.text, size 0x[0-9a-f]+ lma 0x8000000/);
  const compare = section(r.output, 'compare');
  assert.match(compare, /Section \.text, range 0x8000000 -- 0x[0-9a-f]+: matched\./);
  assert.doesNotMatch(compare, /MIS-MATCHED/);
  // The vector table: initial SP in RAM, reset handler in flash (Thumb bit set).
  assert.match(section(r.output, 'vectors'), /0x8000000 <[^>]+>:\s+0x2[0-9a-f]{7}\s+0x080[0-9a-f]{5}/);
  const mass = section(r.output, 'mass');
  assert.match(mass, /Flash erased/);
  assert.match(mass, /0x8000000 <[^>]+>:\s+0xffffffff\s+0xffffffff\s+0xffffffff\s+0xffffffff/);
  const reload = section(r.output, 'reload');
  assert.match(reload, /matched\./);
  assert.doesNotMatch(reload, /MIS-MATCHED/);
  const range = section(r.output, 'range');
  assert.match(range, /Erased 0x08000000\.\.0x08000020/);
  assert.match(range, /0xffffffff\s+0xffffffff\s+0xffffffff\s+0xffffffff/);
  assert.match(server!.stderr(), /target: STM32H743 rev V/);
});

test('tsprobe gdb --load programs the STM32H743 demo into flash through the driver; gdb compare-sections matches', { skip }, async () => {
  const loaded = await startTsprobe(['gdb', '--target', 'sim:stm32h743', '--port', '0', '--load', ELF]);
  try {
    const p = loaded.port;
    assert.match(loaded.stderr(), /loaded .*demo\.elf into STM32H743: \d+ bytes of flash programmed \(131072 erased\), \d+ bytes verified/);
    const r = await runGdb({ elf: ELF, timeoutMs: 30000, commands: [`target extended-remote 127.0.0.1:${p}`, 'compare-sections', 'info registers pc'] });
    assert.match(r.output, /Section \.text, range 0x8000000 -- 0x[0-9a-f]+: matched\./);
    assert.doesNotMatch(r.output, /MIS-MATCHED/);
    // Stopped at the reset vector, which is in flash.
    assert.match(r.output, /pc\s+0x80[0-9a-f]{5}/);
  } finally {
    await loaded.stop();
  }
});
