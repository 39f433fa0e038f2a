// `tsprobe flash` as a user runs it: into a simulated STM32H743 in one process, and
// through `--probe tcp://` against tsprobe's own CMSIS-DAP server (`tsprobe dap`), where
// the flash outlives the flashing process, so `tsprobe read` through the same server
// shows what was programmed. Images come from objcopy (committed fixtures) and random data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { startTsprobe } from '../support/tsprobe-server.js';
import { seededBytes } from '../support/patterns.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const CLI = path.join(root, 'dist/src/cli/main.js');
const fixtures = path.join(root, 'test/image/fixtures');
const ENV = { ...process.env, TSPROBE_NO_USB_SCAN: '1' };

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: ENV, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Bytes from `tsprobe read --width 1` hexdump lines. */
function hexdumpBytes(out: string): Uint8Array {
  const bytes: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^[0-9a-f]{8}: ((?:[0-9a-f]{2} ?)+)/.exec(line);
    if (m) bytes.push(...m[1].trim().split(' ').map((h) => parseInt(h, 16)));
  }
  return Uint8Array.from(bytes);
}

async function readBack(probe: string, addr: number, len: number): Promise<Uint8Array> {
  const r = await cli(['read', '--probe', probe, '--width', '1', `0x${addr.toString(16)}`, String(len)]);
  assert.equal(r.code, 0, r.stderr);
  return hexdumpBytes(r.stdout);
}


test('flash --target sim:stm32h743: HEX, ELF and a .bin at --addr, verified, in one process', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsprobe-flash-'));
  try {
    const bin = path.join(dir, 'data.bin');
    writeFileSync(bin, seededBytes(300 * 1024 + 7, 1));
    const dat = path.join(dir, 'data.dat');
    writeFileSync(dat, seededBytes(4096, 2));
    for (const [args, size] of [
      [[path.join(fixtures, 'demo-h743.hex')], 1520],
      [[path.join(fixtures, 'demo-h743.elf'), '--erase-all'], 1520],
      [[bin, '--addr', '0x08100000'], 300 * 1024 + 7], // bank 2
      [[dat, '--format', 'bin'], 4096], // no extension to go by: at the flash start
    ] as [string[], number][]) {
      const r = await cli(['flash', '--target', 'sim:stm32h743', '--verify', ...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`: ${size} bytes flashed to STM32H743 \\(erased [0-9.]+ (KiB|MiB), programmed [0-9.]+ (B|KiB|MiB), verified [0-9.]+ (KiB|MiB)\\) in [0-9.]+ m?s \\([0-9.]+ (KiB|MiB)/s\\); core halted\\n$`));
      // not a TTY: one line per phase, no carriage returns
      assert.match(r.stderr, /^erase: .*\nprogram: .*\nverify: .*\n$/m);
      assert.doesNotMatch(r.stderr, /\r/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flash --probe tcp:// against tsprobe dap: tsprobe read shows the image; other sectors are kept; --reset runs it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsprobe-flash-'));
  const dap = await startTsprobe(['dap', '--target', 'sim:stm32h743', '--port', '0', '-q'], { env: ENV, timeoutMs: 30_000 });
  try {
    const probe = `tcp://127.0.0.1:${dap.port}`;
    // 200 KiB across sectors 1-2 of bank 1, then the demo firmware into sector 0.
    const data = seededBytes(200 * 1024, 7);
    const bin = path.join(dir, 'data.bin');
    writeFileSync(bin, data);
    let r = await cli(['flash', '--probe', probe, bin, '--addr', '0x08020000', '--verify']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['flash', '--probe', probe, path.join(fixtures, 'demo-h743.hex'), '--reset']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1520 bytes flashed to STM32H743 .*; reset, running\n$/);

    assert.deepEqual(await readBack(probe, 0x08020000, data.length), data);
    const demo = new Uint8Array(readFileSync(path.join(fixtures, 'demo-h743.bin')));
    assert.deepEqual(await readBack(probe, 0x08000000, demo.length), demo);
    // the rest of sector 0 was erased (the flash word after the image is padding: 0xFF)
    assert.ok((await readBack(probe, 0x08000000 + demo.length, 64)).every((b) => b === 0xff));

    // --reset: the demo runs from flash; halting shows a pc inside the image
    r = await cli(['halt', '--probe', probe]);
    assert.equal(r.code, 0, r.stderr);
    const pc = Number(/pc (0x[0-9a-f]{8})/.exec(r.stdout)![1]);
    assert.ok(pc >= 0x08000000 && pc < 0x08000000 + demo.length, `pc 0x${pc.toString(16)} in the firmware`);
  } finally {
    await dap.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flash: a write-protected sector fails with a FlashError naming WRPERR and leaves the controller locked', async () => {
  const dap = await startTsprobe(['dap', '--target', 'sim:stm32h743', '--port', '0', '-q'], { env: ENV, timeoutMs: 30_000 });
  try {
    const probe = `tcp://127.0.0.1:${dap.port}`;
    const FLASH = 0x52002000;
    // Option bytes: unlock (OPTKEYR), protect sector 1 of bank 1 (WPSN_PRG1R bit 1 = 0), OPTSTART.
    for (const [reg, value] of [[0x08, 0x08192a3b], [0x08, 0x4c5d6e7f], [0x3c, 0xfd], [0x18, 0x2]]) {
      const w = await cli(['write', '--probe', probe, `0x${(FLASH + reg).toString(16)}`, `0x${value.toString(16)}`]);
      assert.equal(w.code, 0, w.stderr);
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'tsprobe-flash-'));
    try {
      const bin = path.join(dir, 'two-sectors.bin');
      writeFileSync(bin, seededBytes(256 * 1024, 3));
      const r = await cli(['flash', '--probe', probe, bin]);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.match(lines[0], /^tsprobe: STM32H743 /);
      assert.match(lines[1], /^erase: stopped after 128\.0 KiB of 256\.0 KiB$/); // sector 0 erased, sector 1 protected
      assert.match(lines[2], /^tsprobe: flash: .*WRPERR/);
      assert.equal(lines.length, 3, r.stderr);
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      // FLASH_CR1.LOCK (bit 0) and FLASH_CR2.LOCK set again: done() ran after the failure
      for (const cr of [0x0c, 0x10c]) {
        const v = await cli(['read', '--probe', probe, `0x${(FLASH + cr).toString(16)}`, '4']);
        assert.equal(v.code, 0, v.stderr);
        assert.equal(Number('0x' + /^[0-9a-f]{8}: ([0-9a-f]{8})/m.exec(v.stdout)![1]) & 1, 1, v.stdout);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await dap.stop();
  }
});

test('flash: user errors are one line, exit status 2, and nothing is flashed', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsprobe-flash-'));
  try {
    const hex = readFileSync(path.join(fixtures, 'demo-h743.hex'), 'utf8').split('\n');
    writeFileSync(path.join(dir, 'cut.hex'), hex.slice(0, 20).join('\n') + '\n' + hex[20].slice(0, 15));
    writeFileSync(path.join(dir, 'big.bin'), new Uint8Array(4096));
    const cases: [string[], RegExp][] = [
      [['--target', 'sim:mps2-an385', path.join(fixtures, 'demo-h743.hex')], /^tsprobe: no flash driver for Cortex-M3 .*unknown chip/],
      [['--target', 'sim:stm32h743', path.join(dir, 'cut.hex')], /cut\.hex: line 21: (truncated record|odd number of hex digits)/],
      [['--target', 'sim:stm32h743', path.join(dir, 'big.bin'), '--addr', '0x20000000'], /big\.bin: 0x20000000-0x20000fff is outside flash \(STM32H743 flash: 0x08000000-0x080fffff, 0x08100000-0x081fffff\); give the flash address with --addr/],
      [['--target', 'sim:stm32h743', path.join(dir, 'big.bin'), '--addr', '0x081ff800'], /big\.bin: 0x08200000-0x082007ff is outside flash/],
      [['--target', 'sim:stm32h750', path.join(dir, 'big.bin'), '--addr', '0x08020000'], /outside flash \(STM32H750 flash: 0x08000000-0x0801ffff\)/],
      [['--target', 'sim:stm32h743', path.join(fixtures, 'tiny.elf')], /tiny\.elf: 0x00000000-0x00000013 is outside flash .*link the image for this chip's flash/],
      [['--target', 'sim:stm32h743', path.join(fixtures, 'demo-h743.hex'), '--addr', '0x08000000'], /carries its own addresses; --addr is for raw binaries/],
      [['--target', 'sim:stm32h743', path.join(dir, 'missing.hex')], /cannot read .*missing\.hex: no such file/],
      [['--target', 'sim:stm32h743', path.join(dir, 'big.bin'), '--addr', 'flash'], /--addr flash: expected an address/],
      [['--target', 'sim:nope', path.join(dir, 'big.bin')], /unknown simulated board 'nope'/],
      [['--target', 'sim:stm32h743', path.join(dir, 'big.bin'), '--format', 'srec'], /--format srec: use elf, hex or bin/],
      [['--target', 'sim:stm32h743', path.join(dir, 'big.bin'), '--format', 'hex'], /big\.bin: line 1: expected a record starting with ':'/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(['flash', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').filter((l) => !/^tsprobe: STM32H7/.test(l)).length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
