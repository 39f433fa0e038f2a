// RTT end to end: Debian's unmodified OpenOCD 0.12 drives tsprobe's CMSIS-DAP device
// (`tsprobe dap` on the simulated MPS2 AN385) through the hidapi bridge, loads the RTT demo
// (firmware/src/rtt-demo.c), finds its `_SEGGER_RTT` control block with its own RTT code
// (`rtt setup`/`rtt start`) and serves up channel 0 on a TCP port (`rtt server start`),
// while the simulated core runs. The test reads the demo's lines from that port and sends
// lines back through the down channel, which the demo echoes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TEST_ENV, startTsprobe } from '../support/tsprobe-server.js';
import { parseElf } from '../../src/image/elf.js';
import { bridgeEnv, MPS2_OPENOCD_CFG, openocdSkipReason, which } from './harness.js';

const skip = openocdSkipReason();
const ELF = join(ROOT, 'firmware/build/mps2-an385/rtt-demo.elf');
/** Where OpenOCD looks for the control block: the start of the board's RAM. */
const SEARCH_BASE = 0x20000000;
const SEARCH_SIZE = 0x4000;

/** Wait until `cond()` holds, checking every 20 ms; fails after `ms` with `context()`. */
async function waitFor(cond: () => boolean, ms: number, what: string, context: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGTERM, then SIGKILL if it is still there after 3 s. */
async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
  clearTimeout(timer);
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
  }
}

test('OpenOCD 0.12 RTT through tsprobe\'s CMSIS-DAP device: the demo\'s lines on up channel 0, lines sent on down channel 0 echoed', { skip }, async () => {
  const cbAddr = parseElf(new Uint8Array(readFileSync(ELF)), ELF).symbol('_SEGGER_RTT');
  assert.ok(cbAddr !== undefined, 'the demo has _SEGGER_RTT');
  assert.ok(cbAddr >= SEARCH_BASE && cbAddr + 16 <= SEARCH_BASE + SEARCH_SIZE, `_SEGGER_RTT at 0x${cbAddr.toString(16)} is outside the searched range`);

  const dap = await startTsprobe(['dap', '--target', 'sim:mps2-an385', '--port', '0', '-q', '--packet-size', '512'], { env: TEST_ENV });
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-openocd-rtt-'));
  let openocd: ChildProcess | undefined;
  let sock: Socket | undefined;
  let log = '';
  let text = '';
  const context = () => `--- received:\n${text.slice(0, 2000)}\n--- openocd:\n${log}\n--- tsprobe dap:\n${dap.log()}`;
  try {
    const cfg = join(dir, 'mps2.cfg');
    writeFileSync(cfg, MPS2_OPENOCD_CFG);
    // The block is made by the running program, so RTT starts once it has run a while.
    // Until a client connects nothing reads the up channel; the demo blocks when it is full
    // (mode 2), so the client still gets everything from line 0. Port 0: any free port.
    const commands = [
      'init',
      'reset halt',
      `load_image ${ELF}`,
      `rtt setup 0x${SEARCH_BASE.toString(16)} 0x${SEARCH_SIZE.toString(16)} "SEGGER RTT"`,
      'reset run',
      'sleep 200',
      'rtt start',
      'rtt polling_interval 10',
      'rtt server start 0 0',
    ];
    openocd = spawn(which('openocd')!, ['-f', cfg, ...commands.flatMap((c) => ['-c', c])], {
      env: bridgeEnv(dap.port),
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    openocd.stdout!.on('data', (d: Buffer) => (log += d.toString('latin1')));
    openocd.stderr!.on('data', (d: Buffer) => (log += d.toString('latin1')));
    let exited = false;
    openocd.on('exit', (code, signal) => {
      exited = true;
      log += `\n[openocd exited: ${code ?? signal}]\n`;
    });
    openocd.on('error', (e) => {
      exited = true;
      log += `\n[openocd: ${e.message}]\n`;
    });

    await waitFor(() => exited || /Listening on port \d+ for rtt connections/.test(log), 30_000, 'the RTT server', context);
    assert.equal(exited, false, `openocd stopped:\n${log}`);
    const found = /rtt: Control block found at 0x([0-9a-f]+)/.exec(log);
    assert.ok(found, `no control block found:\n${log}`);
    assert.equal(parseInt(found[1], 16), cbAddr, 'the block OpenOCD found is _SEGGER_RTT (the id is nowhere earlier in RAM)');
    const rttPort = Number(/Listening on port (\d+) for rtt connections/.exec(log)![1]);

    sock = connect(rttPort, '127.0.0.1');
    sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
    sock.on('error', (e) => (log += `\n[rtt socket: ${e.message}]\n`));
    await waitFor(() => sock!.readyState === 'open' || exited, 10_000, 'the RTT connection', context);
    const lineCount = () => (text.match(/^rtt-demo: line \d+\n/gm) ?? []).length;

    // About a second of lines (and more than fill the 1 KiB up buffer), then a line to echo.
    const t0 = Date.now();
    await waitFor(() => lineCount() >= 70 && Date.now() - t0 >= 1000, 30_000, '70 lines', context);
    sock.write('hello rtt\n');
    await waitFor(() => text.includes('rtt-demo: echo hello rtt\n'), 15_000, 'the echo of "hello rtt"', context);
    // '\r' is ignored and a line is cut at 48 bytes.
    const long = '0123456789'.repeat(6);
    sock.write(`${long}\r\n`);
    await waitFor(() => text.includes('rtt-demo: echo 0'), 15_000, 'the echo of the long line', context);
    const after = lineCount();
    await waitFor(() => lineCount() >= after + 3, 15_000, 'lines after the echoes', context);

    const lines = text.split('\n').slice(0, -1); // the last may still be incomplete
    assert.ok(text.startsWith('rtt-demo: line 0\nrtt-demo: line 1\n'), context());
    const echoes = lines.filter((l) => l.startsWith('rtt-demo: echo '));
    assert.deepEqual(echoes, ['rtt-demo: echo hello rtt', `rtt-demo: echo ${long.slice(0, 48)}`]);
    const numbered = lines.filter((l) => !l.startsWith('rtt-demo: echo '));
    assert.deepEqual(numbered, numbered.map((_, i) => `rtt-demo: line ${i}`), 'lines in order, none lost');
    assert.ok(numbered.length >= 70);
  } finally {
    sock?.destroy();
    if (openocd) await stopChild(openocd);
    await dap.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
