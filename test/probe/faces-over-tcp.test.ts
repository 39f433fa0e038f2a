// Every face of tsprobe on `--probe tcp://127.0.0.1:PORT`, against `tsprobe dap` serving
// a simulated board from another process, compared with the same face on the simulator
// directly: gdb-multiarch (load, break, registers, stepi, memory), `tsprobe read`, `regs`,
// `info`, scripts (`tsprobe run`, TypeScript and MicroPython), and the proxy mode (`tsprobe dap --probe tcp://...` re-exporting the probe).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gdbAvailable, runGdb } from '../gdb/gdb-runner.js';
import { CLI, ROOT, mark, section, startTsprobe, type TsprobeServer } from '../gdb/harness.js';
import { runProcess } from '../dap/harness.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/demo.elf');
const ENV = { ...process.env, TSPROBE_NO_USB_SCAN: '1' };

const started: TsprobeServer[] = [];
after(async () => {
  for (const s of started) await s.stop();
});

/** Start a tsprobe server with this test's environment; stopped after the tests at the latest. */
async function server(args: string[]): Promise<TsprobeServer> {
  const s = await startTsprobe(args, { env: ENV, timeoutMs: 10000 });
  started.push(s);
  return s;
}

async function cli(args: string[]): Promise<string> {
  const r = await runProcess(process.execPath, [CLI, ...args], ENV, 20000);
  assert.equal(r.code, 0, `tsprobe ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const GDB_SCRIPT = (port: number) => [
  `target extended-remote 127.0.0.1:${port}`,
  mark('load'),
  'load',
  // As on a real board: reset so SP and PC come from the new vector table.
  'monitor reset halt',
  mark('compare'),
  'compare-sections',
  mark('break'),
  'break console_puts',
  'continue',
  mark('regs'),
  'info registers r0 r1 sp lr pc xpsr msp control',
  mark('stepi'),
  'stepi',
  'stepi',
  'printf "PC=%x SP=%x\\n", $pc, $sp',
  mark('mem'),
  'x/8xw 0',
  'x/4xw $sp',
  mark('bt'),
  'backtrace',
  mark('detach'),
  'detach',
  mark('end'),
];

const skipGdb = gdbAvailable() ? false : 'gdb-multiarch is not installed';

test('gdb-multiarch through tsprobe gdb --probe tcp:// equals gdb on the direct simulator wire', { skip: skipGdb, timeout: 90_000 }, async () => {
  const dap = await server(['dap', '--target', 'sim:mps2-an385', '--port', '0', '-q']);
  const viaProbe = await server(['gdb', '--probe', `tcp://127.0.0.1:${dap.port}`, '--port', '0']);
  const direct = await server(['gdb', '--target', 'sim:mps2-an385', '--port', '0']);
  try {
    assert.match(viaProbe.log(), new RegExp(`gdb server for .* on cmsis-dap:tcp://127\\.0\\.0\\.1:${dap.port}`));
    const a = await runGdb({ elf: ELF, timeoutMs: 40000, commands: GDB_SCRIPT(viaProbe.port) });
    const b = await runGdb({ elf: ELF, timeoutMs: 40000, commands: GDB_SCRIPT(direct.port) });
    assert.equal(a.timedOut, false, `gdb via the probe timed out:\n${a.output}`);
    assert.equal(b.timedOut, false, `gdb direct timed out:\n${b.output}`);
    assert.match(section(a.output, 'load'), /Loading section \.text, size 0x[0-9a-f]+ lma 0x0[\s\S]*Start address/);
    assert.match(section(a.output, 'compare'), /Section \.text, range 0x0 -- 0x[0-9a-f]+: matched\./);
    assert.doesNotMatch(section(a.output, 'compare'), /MIS-MATCHED/);
    assert.match(section(a.output, 'break'), /Breakpoint 1, console_puts/);
    assert.match(section(a.output, 'regs'), /^pc +0x[0-9a-f]+ +0x[0-9a-f]+ <console_puts>/m);
    assert.match(section(a.output, 'detach'), /detached/);
    // Loading, breaking, registers, stepping, memory and the stack: the same through both wires.
    for (const s of ['compare', 'break', 'regs', 'stepi', 'mem', 'bt']) {
      assert.equal(section(a.output, s).replace(/Transfer rate.*\n/, ''), section(b.output, s).replace(/Transfer rate.*\n/, ''), `section ${s} differs`);
    }
  } finally {
    await viaProbe.stop();
    await direct.stop();
    await dap.stop();
  }
});

test('tsprobe read/regs/info/step/run via --probe tcp:// (and through a proxying tsprobe dap --probe) equal the direct simulator', { timeout: 90_000 }, async () => {
  const dap = await server(['dap', '--target', 'sim:mps2-an385', '--port', '0', '-q']);
  try {
    const probe = ['--probe', `tcp://127.0.0.1:${dap.port}`];
    const sim = ['--target', 'sim:mps2-an385'];
    const load = ['--load', ELF];
    for (const args of [['read', ...load, '0', '256'], ['read', ...load, '--width', '2', 'main', '32'], ['regs', ...load], ['step', ...load, '3'], ['reset', '--pin', '--halt', ...load], ['regs', ...load, '--run-to', 'console_puts'], ['run', join(ROOT, 'examples/registers.ts'), ...load], ['run', join(ROOT, 'examples/registers.py'), ...load]]) {
      const direct = await cli([...args, ...sim]);
      const via = await cli([...args, ...probe]);
      assert.equal(via, direct, `tsprobe ${args.join(' ')}`);
      assert.ok(direct.length > 40);
    }
    const infoVia = await cli(['info', ...probe]);
    const infoDirect = await cli(['info', ...sim]);
    assert.match(infoVia, new RegExp(`^target +cmsis-dap:tcp://127\\.0\\.0\\.1:${dap.port}`, 'm'));
    // The same DP, APs, core and ROM table; the memory map is only known for the simulator.
    const body = (t: string) => t.split('\n').filter((l) => !/^target/.test(l)).join('\n').replace(/memory map[\s\S]*$/, '');
    assert.equal(body(infoVia), body(infoDirect));

    // Proxy mode: a second tsprobe re-exports the probe as its own CMSIS-DAP server.
    const proxy = await server(['dap', ...probe, '--port', '0', '-q']);
    try {
      assert.match(proxy.log(), new RegExp(`CMSIS-DAP device for cmsis-dap:tcp://127\\.0\\.0\\.1:${dap.port} listening`));
      const via2 = await cli(['read', ...load, '0', '256', '--probe', `tcp://127.0.0.1:${proxy.port}`]);
      assert.equal(via2, await cli(['read', ...load, '0', '256', ...sim]));
      const list = await cli(['list', `tcp://127.0.0.1:${proxy.port}`]);
      assert.match(list, /tcp:\/\/127\.0\.0\.1:\d+ +tsprobe tsprobe CMSIS-DAP +CMSIS-DAP 2\.1\.0, serial TSPROBE0001, packets 32 x 1024 bytes/);
    } finally {
      await proxy.stop();
    }
    const r = await runProcess(process.execPath, [CLI, 'dap', ...probe, '--firmware', ELF, '--port', '0'], ENV, 20000);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--firmware needs a simulated target/);
  } finally {
    await dap.stop();
  }
});

test('tsprobe list with no probes says so; bad --probe values are explained', { timeout: 30_000 }, async () => {
  const out = await cli(['list']);
  assert.match(out, /no CMSIS-DAP probes found/);
  for (const [spec, msg] of [
    ['usb:xyz', /expected usb:VID:PID\[:SERIAL\]/],
    ['tcp://host', /expected tcp:\/\/HOST:PORT/],
    ['sim:mps2-an385', /chosen with --target/],
    ['tcp://127.0.0.1:1', /cannot connect to the CMSIS-DAP probe at tcp:\/\/127\.0\.0\.1:1.*ECONNREFUSED/],
    ['NOSUCHSERIAL', /no CMSIS-DAP probe matches --probe NOSUCHSERIAL/],
  ] as const) {
    const r = await runProcess(process.execPath, [CLI, 'read', '--probe', spec, '0', '4'], ENV, 20000);
    assert.equal(r.code, 2, `${spec}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const both = await runProcess(process.execPath, [CLI, 'regs', '--probe', 'tcp://127.0.0.1:1', '--target', 'sim:mps2-an385'], ENV, 20000);
  assert.match(both.stderr, /name two targets/);
});
