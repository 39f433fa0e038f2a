// SWO trace end to end: the ITM demo firmware (firmware/src/itm-demo.c) writes text to
// stimulus port 0 and N*N to port 1; `tsprobe swo` sets up TPIU and ITM, captures the
// simulated SWO pin and prints both, in one process and through `--probe tcp://` (the
// CMSIS-DAP host's DAP_SWO_* against tsprobe's own device). Debian's OpenOCD 0.12 captures
// the same trace through tsprobe's device with its own `tpiu`/`itm` commands, and tsprobe's
// ITM decoder reads OpenOCD's file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, TEST_ENV, startTsprobe } from '../support/tsprobe-server.js';
import { ItmDecoder, stimulusBytes } from '../../src/cortexm/itm-decoder.js';
import { MPS2_OPENOCD_CFG, OPENOCD_INTERFACE_CFG, openocdSkipReason, runOpenocd } from '../dap/harness.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/itm-demo.elf');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'latin1', timeout: 60_000, env: TEST_ENV, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The demo's output for lines 0..n-1 as `tsprobe swo --ports 0,1` prints it. */
function expectedLines(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `itm-demo: line ${i}\nitm[1] 0x${((i * i) >>> 0).toString(16).padStart(8, '0')}\n`;
  return s;
}

/** Lines 0.. of the output, however many there are, must be exactly the demo's; returns how many. */
function checkDemoOutput(stdout: string): number {
  const n = (stdout.match(/^itm-demo: line /gm) ?? []).length;
  assert.ok(n >= 5, `at least 5 lines captured, got ${n}:\n${stdout.slice(0, 500)}`);
  // The last line may have been cut by the end of the capture.
  assert.equal(stdout.slice(0, expectedLines(n - 1).length), expectedLines(n - 1));
  return n;
}

test('tsprobe swo on the simulated board: text on port 0, values on port 1, raw file decodes the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-swo-'));
  try {
    const raw = join(dir, 'trace.bin');
    const r = await cli(['swo', '--target', 'sim:mps2-an385', '--load', ELF, '--ports', '0,1', '--duration', '800', '--raw', raw]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SWO uart at 1923077 baud \(TRACECLKIN 25000000 Hz \/ 13/);
    checkDemoOutput(r.stdout);
    // The raw bytes are the ITM packets themselves.
    const packets = new ItmDecoder().push(new Uint8Array(readFileSync(raw)));
    let text = '';
    for (const p of packets) if (p.kind === 'instrumentation' && p.port === 0) text += Buffer.from(stimulusBytes(p)).toString('latin1');
    assert.ok(text.startsWith('itm-demo: line 0\nitm-demo: line 1\n'), text.slice(0, 100));
    assert.match(r.stderr, /SWO captured \d+ bytes, \d+ packets\n$/);
    // Port 1 not enabled: its writes are not sent at all.
    const only0 = await cli(['swo', '--target', 'sim:mps2-an385', '--load', ELF, '--duration', '300']);
    assert.equal(only0.code, 0, only0.stderr);
    assert.doesNotMatch(only0.stdout, /itm\[1\]/);
    assert.match(only0.stdout, /^itm-demo: line 0\nitm-demo: line 1\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tsprobe swo --probe tcp:// through tsprobe dap (DAP_SWO_*), and through a proxying tsprobe dap: the same output', async () => {
  const dap = await startTsprobe(['dap', '--target', 'sim:mps2-an385', '--port', '0', '-q'], { env: TEST_ENV });
  try {
    const probe = `tcp://127.0.0.1:${dap.port}`;
    const noClock = await cli(['swo', '--probe', probe, '--duration', '100']);
    assert.notEqual(noClock.code, 0);
    assert.match(noClock.stderr, /give --traceclk/);
    const r = await cli(['swo', '--probe', probe, '--traceclk', '25M', '--load', ELF, '--ports', '0,1', '--duration', '800']);
    assert.equal(r.code, 0, r.stderr);
    checkDemoOutput(r.stdout);
    // Through a proxy: `tsprobe dap --probe tcp://...` re-exports the first device's SWO.
    const proxy = await startTsprobe(['dap', '--probe', probe, '--port', '0', '-q'], { env: TEST_ENV });
    try {
      const p = await cli(['swo', '--probe', `tcp://127.0.0.1:${proxy.port}`, '--traceclk', '25M', '--load', ELF, '--ports', '0,1', '--duration', '800']);
      assert.equal(p.code, 0, p.stderr);
      checkDemoOutput(p.stdout);
    } finally {
      await proxy.stop();
    }
    // A rate the TPIU cannot make from the clock is refused before anything starts.
    const bad = await cli(['swo', '--probe', probe, '--traceclk', '25M', '--baud', '2M', '--duration', '100']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /2000000 baud cannot be made from a 25000000 Hz trace clock/);
  } finally {
    await dap.stop();
  }
});

test('tsprobe swo on the simulated STM32H743: the SWO unit on AP2 through the SWTF funnel, as the chip has it', async () => {
  const h7 = join(ROOT, 'firmware/build/stm32h743/stm32h7-itm-demo.elf');
  const r = await cli(['swo', '--target', 'sim:stm32h743', '--load', h7, '--duration', '500']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /SWO unit at 0xE00E3000 on AP2 \(APB-D\), through the SWTF funnel/);
  assert.match(r.stderr, /SWO uart at 2000000 baud \(TRACECLKIN 64000000 Hz \/ 32/);
  const n = (r.stdout.match(/^h7-itm: line /gm) ?? []).length;
  assert.ok(n >= 5, r.stdout.slice(0, 200));
  const want = [...Array(n - 1).keys()].map((k) => `h7-itm: line ${k}\n`).join('');
  assert.equal(r.stdout.slice(0, want.length), want);
});

test('the main job: tsprobe serve runs the STM32H743 demo, tsprobe swo through its CMSIS-DAP port shows the demo\'s console lines', async () => {
  const serve = await startTsprobe(['serve', '--target', 'sim:stm32h743', '--firmware', join(ROOT, 'firmware/build/stm32h743/demo-fpu.elf'), '--console', 'none', '--gdb-port', '0', '--dap-port', '0'], { env: TEST_ENV });
  try {
    let dapPort = 0;
    for (let i = 0; i < 100 && !dapPort; i++) {
      dapPort = Number(/CMSIS-DAP \(TCP\) for sim:stm32h743 listening on 127\.0\.0\.1:(\d+)/.exec(serve.log())?.[1] ?? 0);
      if (!dapPort) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(dapPort, serve.log());
    // The demo runs at 400 MHz (PLL) by now: that is its TPIU clock.
    const r = await cli(['swo', '--probe', `tcp://127.0.0.1:${dapPort}`, '--traceclk', '400M', '--duration', '700']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SWO uart at 2000000 baud \(TRACECLKIN 400000000 Hz \/ 200/);
    const counts = [...r.stdout.matchAll(/^count (\d+) at (\d+) ms, sqrt\(2\) = 1\.414213562, pi ~ 3\.14159\d+\r?\n/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.ok(counts.length >= 3, r.stdout.slice(0, 300));
    for (let i = 1; i < counts.length; i++) assert.deepEqual(counts[i], [counts[i - 1][0] + 1, counts[i - 1][1] + 100]);
  } finally {
    await serve.stop();
  }
});

const skip = openocdSkipReason();

test('OpenOCD 0.12 with target/stm32h7x.cfg captures the simulated STM32H743\'s SWO through its swo object on AP2', { skip }, async () => {
  const dap = await startTsprobe(['dap', '--target', 'sim:stm32h743', '--port', '0', '-q', '--packet-size', '512'], { env: TEST_ENV });
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-openocd-h7-swo-'));
  try {
    const cfg = join(dir, 'interface.cfg');
    writeFileSync(cfg, OPENOCD_INTERFACE_CFG);
    const trace = join(dir, 'trace.bin');
    const h7 = join(ROOT, 'firmware/build/stm32h743/stm32h7-itm-demo.elf');
    // stm32h7x.cfg's examine-end handler switches on TRACECLKEN and the SWTF's inputs.
    const out = await runOpenocd(dap.port, dir, ['-f', cfg, '-f', 'target/stm32h7x.cfg'], [
      'reset halt',
      `flash write_image erase ${h7}`,
      `stm32h7x.swo configure -protocol uart -traceclk 64000000 -pin-freq 2000000 -output ${trace} -formatter 0`,
      'stm32h7x.swo enable',
      'itm ports on',
      'reset run',
      'sleep 800',
    ]);
    assert.match(out, /SWO prescaler: 32/);
    let text = '';
    for (const p of new ItmDecoder().push(new Uint8Array(readFileSync(trace)))) if (p.kind === 'instrumentation' && p.port === 0) text += Buffer.from(stimulusBytes(p)).toString('latin1');
    const lines = text.split('\n').slice(0, -1);
    assert.ok(lines.length >= 5, `lines: ${lines.length}\n${out}`);
    assert.deepEqual(lines, lines.map((_, i) => `h7-itm: line ${i}`));
  } finally {
    await dap.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OpenOCD 0.12 captures the simulated SWO through tsprobe\'s CMSIS-DAP device; tsprobe decodes its file', { skip }, async () => {
  const dap = await startTsprobe(['dap', '--target', 'sim:mps2-an385', '--port', '0', '-q', '--packet-size', '512'], { env: TEST_ENV });
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-openocd-swo-'));
  try {
    const cfg = join(dir, 'mps2.cfg');
    writeFileSync(cfg, MPS2_OPENOCD_CFG + 'tpiu create mps2.tpiu -dap mps2.dap -ap-num 0 -baseaddr 0xE0040000\n');
    const trace = join(dir, 'trace.bin');
    const out = await runOpenocd(dap.port, dir, ['-f', cfg], [
      'reset halt',
      `load_image ${ELF}`,
      `mps2.tpiu configure -protocol uart -traceclk 25000000 -pin-freq 1923077 -output ${trace} -formatter 0`,
      'mps2.tpiu enable',
      'itm ports on',
      'reset run',
      'sleep 800',
    ]);
    assert.match(out, /SWO prescaler: 13/);
    const packets = new ItmDecoder().push(new Uint8Array(readFileSync(trace)));
    let text = '';
    const squares: number[] = [];
    for (const p of packets) {
      if (p.kind !== 'instrumentation') continue;
      if (p.port === 0) text += Buffer.from(stimulusBytes(p)).toString('latin1');
      if (p.port === 1) squares.push(p.value);
    }
    const lines = text.split('\n').slice(0, -1);
    assert.ok(lines.length >= 5, `lines: ${lines.length}`);
    assert.deepEqual(lines, lines.map((_, i) => `itm-demo: line ${i}`));
    assert.deepEqual(squares.slice(0, lines.length - 1), squares.slice(0, lines.length - 1).map((_, i) => i * i));
  } finally {
    await dap.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
