// gdb's compare-sections (qCRC) computed by the CRC routine on the target's CPU
// (CortexMTarget.crc32, src/cortexm/crc32-routine.ts): gdb-multiarch through
// `tsprobe gdb --probe tcp://` against `tsprobe dap` serving a simulated board, where the
// routine is the rule, with the server's log showing which path answered; a byte changed
// after `load` is reported MIS-MATCHED. In process: the rule itself (bulk reads on the
// in-process simulator, reads when a breakpoint is in the range) and equal results.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gdbAvailable, runGdb } from './gdb-runner.js';
import { mark, section, startTsprobe, type TsprobeServer } from './harness.js';
import { makeDataElf } from '../../bench/gdb-elf-writer.js';
import { ProbeSession } from '../../src/probe/session.js';
import { connectCortexM } from '../../src/cortexm/connect.js';
import { createGdbTarget } from '../../src/gdb/cortexm-target.js';
import { gdbCrc32 } from '../../src/gdb/crc32.js';

const ENV = { ...process.env, TSPROBE_NO_USB_SCAN: '1' };
const dir = mkdtempSync(join(tmpdir(), 'gdb-crc-'));
const started: TsprobeServer[] = [];
after(async () => {
  for (const s of started) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function server(args: string[]): Promise<TsprobeServer> {
  const s = await startTsprobe(args, { env: ENV, timeoutMs: 15000 });
  started.push(s);
  return s;
}

const onTarget = (log: string) => (log.match(/qCRC 0x[0-9a-f]+\+\d+: computed on the target/g) ?? []).length;
const skipGdb = gdbAvailable() ? false : 'gdb-multiarch is not installed';

for (const c of [
  // Detected chip: the work area is the end of its largest RAM (AXI SRAM).
  { board: 'stm32h743', base: 0x24000000, setup: [] as string[], area: /routine in AXI SRAM at 0x2407f/ },
  // A chip nobody detects (no memory map over the probe): the user names the work area.
  { board: 'mps2-an385', base: 0x20000000, setup: ['monitor work_area 0x20300000 2048'], area: /routine in work_area at 0x20300000/ },
]) {
  test(`compare-sections through --probe tcp:// on sim:${c.board} runs the CRC on the target and finds a changed byte`, { skip: skipGdb, timeout: 120_000 }, async () => {
    const data = randomBytes(96 * 1024 + 3);
    const elf = join(dir, `${c.board}.elf`);
    writeFileSync(elf, makeDataElf(c.base, data));
    const dap = await server(['dap', '--target', `sim:${c.board}`, '--port', '0', '-q']);
    const gdb = await server(['gdb', '--probe', `tcp://127.0.0.1:${dap.port}`, '--port', '0']);
    try {
      const poke = c.base + 0x1234;
      const r = await runGdb({
        elf,
        timeoutMs: 90000,
        commands: [
          `target extended-remote 127.0.0.1:${gdb.port}`,
          ...c.setup,
          'load',
          // 'auto' measures reads against the routine on this first long qCRC.
          mark('auto'),
          'compare-sections',
          // Then the routine, whichever won (behind tsprobe dap the simulated CPU is slower than reads).
          'monitor qcrc target',
          mark('match'),
          'compare-sections',
          mark('poke'),
          `set {unsigned char}0x${poke.toString(16)} = ${data[0x1234]! ^ 0xa5}`,
          mark('mismatch'),
          'compare-sections',
          mark('stats'),
          'monitor qcrc',
          mark('end'),
        ],
      });
      assert.equal(r.timedOut, false, `gdb timed out:\n${r.output}`);
      assert.match(section(r.output, 'match'), new RegExp(`Section \\.data, range 0x${c.base.toString(16)} -- 0x${(c.base + data.length).toString(16)}: matched\\.`));
      assert.doesNotMatch(section(r.output, 'match'), /MIS-MATCHED/);
      const sections = (t: string) => t.split('\n').filter((l) => l.startsWith('Section'));
      assert.deepEqual(sections(section(r.output, 'auto')), sections(section(r.output, 'match')));
      assert.match(section(r.output, 'mismatch'), /Section \.data, range .*: MIS-MATCHED!/);
      const log = gdb.log();
      assert.match(log, /qCRC measured: reads [\d.]+ MB\/s; routine [\d.]+ ms \+ [\d.]+ MB\/s: (reads are faster at any size|the routine from \d+ KiB)/);
      // The two after `qcrc target` at least (the first too if the routine won).
      const n = onTarget(log);
      assert.ok(n === 2 || n === 3, `qCRCs on the target: ${n}\n${log}`);
      assert.match(section(r.output, 'stats'), new RegExp(`qcrc: target \\(reads .*\\); answered on the target ${n}, from reads ${3 - n}`));
      assert.match(log, c.area);
      assert.doesNotMatch(log, /routine on the target failed/);
    } finally {
      await gdb.stop();
      await dap.stop();
    }
  });
}

test('qCRC rule in process: bulk reads on the simulator, the routine when asked; equal CRCs; other RAM when the range covers the work area', { timeout: 60_000 }, async () => {
  const session = ProbeSession.open('sim:stm32h743');
  try {
    const conn = await connectCortexM(session.wireFor('gdb'));
    const lines: string[] = [];
    const auto = (await createGdbTarget(conn, { where: session.description, log: (l) => lines.push(l) })).target;
    const always = (await createGdbTarget(conn, { where: session.description, crcOnTarget: 'target', log: (l) => lines.push(l) })).target;
    await always.halt();
    const base = 0x24000000;
    const data = randomBytes(64 * 1024 + 1);
    await always.writeMemory(base, data);
    const want = gdbCrc32(data);

    assert.equal(await auto.crc32(base, data.length), want);
    assert.deepEqual(auto.crcStats, { target: 0, host: 1 }, 'the in-process simulator is read, not run');
    assert.equal(await always.crc32(base, data.length), want);
    assert.deepEqual(always.crcStats, { target: 1, host: 0 });

    // A range over the work area (the end of AXI SRAM) takes the next largest RAM's end.
    const axiEnd = 0x24080000;
    const tail = await always.readMemory(axiEnd - 0x2000, 0x2000);
    assert.equal(await always.crc32(axiEnd - 0x2000, 0x2000), gdbCrc32(tail));
    assert.deepEqual(always.crcStats, { target: 2, host: 0 });
    assert.match(lines.at(-1)!, /qCRC 0x2407e000\+8192: computed on the target \(routine in SRAM1-3 at 0x3004[0-9a-f]{4}\)/);
    // A Cortex-M7 with its D-cache on (CCR.DC; the simulator has no caches, so the read is
    // made to say so): the CPU could see stale lines, so the range is read.
    const readMany32 = conn.mem.readMany32.bind(conn.mem);
    conn.mem.readMany32 = async (addrs) => (await readMany32(addrs)).map((v, i) => (addrs[i] === 0xe000ed14 ? v | (1 << 16) : v));
    assert.equal(await always.crc32(base, data.length), want);
    assert.deepEqual(always.crcStats, { target: 2, host: 1 });
    conn.mem.readMany32 = readMany32;
    // Memory that faults is not given to the routine; reading it gives gdb its E0e.
    await assert.rejects(always.crc32(0x60000000, 0x1000), { name: 'MemoryFault' });
    assert.deepEqual(always.crcStats, { target: 2, host: 2 });
    assert.ok(lines.some((l) => /computed on the target \(routine in AXI SRAM at 0x2407f[0-9a-f]{3}\)/.test(l)), lines.join('\n'));
  } finally {
    await session.close();
  }
});

test("qCRC over a software breakpoint is read from memory (the program's bytes, not the BKPT)", { timeout: 60_000 }, async () => {
  const session = ProbeSession.open('sim:mps2-an385');
  try {
    const conn = await connectCortexM(session.wireFor('gdb'));
    const ram = [{ type: 'ram' as const, start: 0x20000000, length: 4 << 20, name: 'SSRAM2/3' }];
    const { target } = await createGdbTarget(conn, { where: session.description, crcOnTarget: 'target', chipMemory: ram });
    await target.halt();
    const base = 0x20010000;
    const data = randomBytes(16 * 1024);
    await target.writeMemory(base, data);
    assert.equal(await target.crc32(base, data.length), gdbCrc32(data));
    assert.deepEqual(target.crcStats, { target: 1, host: 0 });
    // The M3's FPB only reaches the Code region: this is a BKPT written into SRAM.
    await target.addBreakpoint('sw', base + 0x100);
    assert.equal(await conn.mem.read16(base + 0x100), 0xbe00);
    assert.equal(await target.crc32(base, data.length), gdbCrc32(data));
    assert.deepEqual(target.crcStats, { target: 1, host: 1 });
    await target.removeBreakpoint('sw', base + 0x100);
    assert.equal(await target.crc32(base, data.length), gdbCrc32(data));
    assert.deepEqual(target.crcStats, { target: 2, host: 1 });
  } finally {
    await session.close();
  }
});

test("'auto' through a slow probe measures and takes the routine for long ranges", { timeout: 60_000 }, async () => {
  const session = ProbeSession.open('sim:stm32h743');
  try {
    // The in-process wire made to look like a probe whose block reads crawl (~64 KB/s, as
    // a slow SWD clock would); everything else goes through unchanged.
    const raw = session.wireFor('gdb');
    const slow = new Proxy(raw, {
      get(t, p) {
        if (p === 'description') return 'cmsis-dap:slow (test)';
        const v = Reflect.get(t, p) as unknown;
        if (p === 'transferBlocks' && typeof v === 'function') {
          return async (steps: { req: { read: boolean }; count: number }[]) => {
            const words = steps.filter((s) => s.req.read).reduce((n, s) => n + s.count, 0);
            if (words) await new Promise((r) => setTimeout(r, words / 16)); // slow enough that a loaded machine cannot make the routine lose
            return v.call(t, steps);
          };
        }
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
    const conn = await connectCortexM(slow);
    const lines: string[] = [];
    const { target } = await createGdbTarget(conn, { where: 'slow probe', log: (l) => lines.push(l) });
    await target.halt();
    const base = 0x24000000;
    const data = randomBytes(256 * 1024);
    await target.writeMemory(base, data);
    assert.equal(await target.crc32(base, data.length), gdbCrc32(data));
    assert.match(lines.join('\n'), /qCRC measured: reads [\d.]+ MB\/s; routine [\d.]+ ms \+ [\d.]+ MB\/s: the routine from \d+ KiB/);
    assert.deepEqual(target.crcStats, { target: 1, host: 0 });
  } finally {
    await session.close();
  }
});
