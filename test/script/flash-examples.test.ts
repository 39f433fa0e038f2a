// The flash examples (examples/flash-program.ts, examples/flash_program.py) run as a user
// runs them: `tsprobe run --target sim:stm32h743` in one process, and `--probe tcp://`
// against `tsprobe dap`, where the flash outlives the script and `tsprobe read` through
// the same server must show what the examples printed and the image's bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { readImage } from '../../src/image/image.js';
import { startTsprobe } from '../support/tsprobe-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const CLI = path.join(root, 'dist/src/cli/main.js');
const ENV = { ...process.env, TSPROBE_NO_USB_SCAN: '1' };
const FIRMWARE = 'firmware/build/stm32h743/demo.elf';
const RECORD_AT = 0x080e0000;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: ENV, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function readBytes(probe: string, addr: number, len: number): Promise<Uint8Array> {
  const r = await cli(['read', '--probe', probe, '--width', '1', `0x${addr.toString(16)}`, String(len)]);
  assert.equal(r.code, 0, r.stderr);
  const bytes: number[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^[0-9a-f]{8}: ((?:[0-9a-f]{2} ?)+)/.exec(line);
    if (m) bytes.push(...m[1].trim().split(' ').map((h) => parseInt(h, 16)));
  }
  return Uint8Array.from(bytes);
}

test('flash examples (TS and Python) print the same on sim:stm32h743, in one process', async () => {
  const [ts, py] = await Promise.all([
    cli(['run', '--target', 'sim:stm32h743', 'examples/flash-program.ts']),
    cli(['run', '--target', 'sim:stm32h743', 'examples/flash_program.py']),
  ]);
  assert.equal(ts.code, 0, ts.stderr);
  assert.equal(py.code, 0, py.stderr);
  assert.match(ts.stdout, /^target: STM32H743 rev /);
  assert.equal(ts.stdout.split('\n').slice(1).join('\n'), py.stdout);
});

test('flash examples through tsprobe dap: tsprobe read shows the image, the vectors and the record they print', async () => {
  const dap = await startTsprobe(['dap', '--target', 'sim:stm32h743', '--port', '0', '-q'], { env: ENV });
  try {
    const probe = `tcp://127.0.0.1:${dap.port}`;
    const image = readImage(path.join(root, FIRMWARE));
    const size = image.segments.reduce((n, s) => n + s.data.length, 0);
    for (const [script, serial] of [['examples/flash-program.ts', 'from-typescript'], ['examples/flash_program.py', 'tsprobe-0001']]) {
      const r = await cli(['run', '--probe', probe, script, ...(script.endsWith('.ts') ? [FIRMWARE, serial] : [])]);
      assert.equal(r.code, 0, `${script}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`${FIRMWARE.replace(/[./]/g, '\\$&')}: erased 131072, programmed \\d+, verified ${size} bytes`));
      // the whole image, as tsprobe read shows it
      for (const s of image.segments) assert.deepEqual(await readBytes(probe, s.address, s.data.length), s.data, script);
      // the vectors the script printed
      const v = /initial sp (0x[0-9a-f]{8}), reset vector (0x[0-9a-f]{8})/.exec(r.stdout)!;
      const words = await readBytes(probe, 0x08000000, 8);
      const dv = new DataView(words.buffer);
      assert.deepEqual([Number(v[1]), Number(v[2])], [dv.getUint32(0, true), dv.getUint32(4, true)]);
      // the record it printed, and erased flash right after it
      const rec = /serial record at 0x080e0000: ([0-9a-f]+)/.exec(r.stdout)![1];
      assert.equal(rec, Buffer.from(serial).toString('hex'));
      const back = await readBytes(probe, RECORD_AT, 64);
      assert.equal(Buffer.from(back.subarray(0, serial.length)).toString(), serial);
      assert.ok(back.subarray(serial.length).every((b) => b === 0xff), 'the rest of the sector is erased (a new record replaced the old one)');
    }
  } finally {
    await dap.stop();
  }
});
