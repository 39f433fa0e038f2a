// Every example in examples/ (TypeScript and Python), run as a user runs it with
// `tsprobe run` against the simulated board with the demo firmware, and its printed
// values checked against what `tsprobe read` / `tsprobe regs` report for the same state.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseElf } from '../../src/image/elf.js';

const ELF = 'firmware/build/mps2-an385/demo.elf';

// These checks are written for the MPS2 AN385 (its demo, memory map and CPUID); the
// default target is the STM32H743 since `npm start` runs there, so name the board.
const onAn385 = (args: string[]) => (args.includes('--target') ? args : [args[0], '--target', 'sim:mps2-an385', ...args.slice(1)]);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', ...onAn385(args)], { encoding: 'utf8', timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Bytes from `tsprobe read` hexdump lines (width 1). */
function hexdumpBytes(out: string): number[] {
  const bytes: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^[0-9a-f]{8}: ((?:[0-9a-f]{2} ?)+)/.exec(line);
    if (m) bytes.push(...m[1].trim().split(' ').map((h) => parseInt(h, 16)));
  }
  return bytes;
}

test('examples: registers (TS and Python) print what tsprobe regs prints', async () => {
  const [ts, py, ref] = await Promise.all([cli(['run', '--load', ELF, 'examples/registers.ts']), cli(['run', '--load', ELF, 'examples/registers.py']), cli(['regs', '--load', ELF])]);
  assert.equal(ts.code, 0, ts.stderr);
  assert.equal(py.code, 0, py.stderr);
  assert.equal(ts.stdout, py.stdout);
  const got = new Map(ts.stdout.trim().split('\n').map((l) => l.split(/\s+/) as [string, string]));
  assert.equal(got.size, 23);
  // `tsprobe regs` prints "r0   0x00000000   r1   0x..." rows
  for (const m of ref.stdout.matchAll(/\b(r\d+|sp|lr|pc|xpsr|msp|psp)\s+(0x[0-9a-f]{8})/g)) assert.equal(got.get(m[1]), m[2], m[1]);
  assert.equal(got.get('pc'), '0x' + ((parseElf(new Uint8Array(readFileSync(ELF))).entry & ~1) >>> 0).toString(16).padStart(8, '0'));
});

test('examples: memsrch (TS and Python) finds the greeting where tsprobe read shows it', async () => {
  const [ts, py] = await Promise.all([cli(['run', '--load', ELF, 'examples/memsrch.ts', 'Hello', '0', '0x4000']), cli(['run', '--load', ELF, 'examples/memsrch.py'])]);
  assert.equal(ts.code, 0, ts.stderr);
  assert.equal(py.code, 0, py.stderr);
  const addrs = (s: string) => [...s.matchAll(/0x[0-9a-f]{8}/g)].map((m) => Number(m[0]));
  assert.ok(addrs(ts.stdout).length >= 1, ts.stdout);
  assert.deepEqual(addrs(py.stdout), addrs(ts.stdout));
  const at = addrs(ts.stdout)[0];
  const ref = await cli(['read', '--load', ELF, '--width', '1', String(at), '5']);
  assert.deepEqual(hexdumpBytes(ref.stdout), [...Buffer.from('Hello')]);
});

test('examples: dump (TS to a file, Python as hex) match tsprobe read of the vector table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-dump-'));
  try {
    const file = join(dir, 'vectors.bin');
    const [ts, ref] = await Promise.all([cli(['run', '--load', ELF, 'examples/dump-memory.ts', '0x0', '64', file]), cli(['read', '--load', ELF, '--width', '1', '0', '64'])]);
    assert.equal(ts.code, 0, ts.stderr);
    assert.match(ts.stdout, /dumped 64 bytes from 0x00000000/);
    const expected = hexdumpBytes(ref.stdout);
    assert.equal(expected.length, 64);
    assert.deepEqual([...readFileSync(file)], expected);
    // the Python example dumps 0x20000000 (.bss after load: what tsprobe read shows there)
    const [py, ram] = await Promise.all([cli(['run', '--load', ELF, 'examples/dump_memory.py']), cli(['read', '--load', ELF, '--width', '1', '0x20000000', '256'])]);
    assert.equal(py.code, 0, py.stderr);
    const hex = /hex: ([0-9a-f]+)/.exec(py.stdout)![1];
    assert.deepEqual([...Buffer.from(hex, 'hex')], hexdumpBytes(ram.stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples: watch a variable (TS and Python) logs each change of ticks', async () => {
  const [ts, py] = await Promise.all([cli(['run', '--load', ELF, 'examples/watch-variable.ts', 'ticks', '5']), cli(['run', '--load', ELF, 'examples/watch_variable.py'])]);
  assert.equal(ts.code, 0, ts.stderr);
  assert.equal(py.code, 0, py.stderr);
  const ticks = parseElf(new Uint8Array(readFileSync(ELF))).symbol('ticks')!;
  const at = '0x' + ticks.toString(16).padStart(8, '0');
  for (const out of [ts.stdout, py.stdout]) {
    assert.match(out, new RegExp(`watching ticks at ${at}: 0`));
    const changes = [...out.matchAll(/ticks changed: (\d+) -> (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.deepEqual(changes, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]);
  }
  // the same variable, as the CLI reads it after the firmware has counted to 5
  const ref = await cli(['read', '--load', ELF, '--run-ms', '300', 'ticks', '4']);
  assert.match(ref.stdout, /^20000004: 00000005/);
});

test('examples: program and verify an image (TS) covers every loadable byte of the ELF', async () => {
  const r = await cli(['run', 'examples/program-verify.ts', ELF]);
  assert.equal(r.code, 0, r.stderr);
  const image = parseElf(new Uint8Array(readFileSync(ELF)));
  const total = image.loadChunks().reduce((n, c) => n + c.data.length, 0);
  assert.match(r.stdout, new RegExp(`${ELF.replace(/[./]/g, '\\$&')}: ${total} bytes programmed and verified; pc 0x${((image.entry & ~1) >>> 0).toString(16).padStart(8, '0')}`));
  const ref = await cli(['regs', '--load', ELF]);
  assert.match(ref.stdout, new RegExp(`pc +0x${((image.entry & ~1) >>> 0).toString(16).padStart(8, '0')}`));
});
