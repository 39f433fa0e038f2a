// Semihosting calls against a bus and a fake core (r0/r1 only); the QEMU
// comparison of the same calls on real firmware is in test/cli/sim-vs-qemu.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Bus } from '../../../src/sim/bus.js';
import { Clock } from '../../../src/sim/clock.js';
import { Semihosting, ADP_Stopped_ApplicationExit, type SemihostingOptions } from '../../../src/sim/semihosting.js';

const RAM = 0x20000000;

function setup(extra: Partial<SemihostingOptions> = {}) {
  const bus = new Bus();
  bus.mapMemory('ram', RAM, 0x10000);
  const clock = new Clock(25_000_000);
  const out = { stdout: '', stderr: '' };
  let input = new TextEncoder().encode('typed\n');
  const sh = new Semihosting(bus, clock, {
    console: {
      write: (s, b) => (out[s] += new TextDecoder().decode(b)),
      read: (max) => {
        const got = input.subarray(0, max);
        input = input.subarray(got.length);
        return got;
      },
    },
    cmdline: 'fw.elf arg',
    heap: { ramBase: 0x21000000, ramSize: 0x1000000 },
    ...extra,
  });
  const cpu = { r: new Uint32Array(16) };
  const call = (op: number, arg: number) => {
    cpu.r[0] = op;
    cpu.r[1] = arg;
    sh.call(cpu);
    return cpu.r[0] | 0;
  };
  let heapTop = RAM + 0x1000;
  const str = (s: string) => {
    const a = heapTop;
    bus.load(a, new TextEncoder().encode(s + '\0'));
    heapTop += (s.length + 4) & ~3;
    return a;
  };
  const block = (...words: number[]) => {
    const a = heapTop;
    words.forEach((w, i) => bus.write32(a + 4 * i, w >>> 0));
    heapTop += 4 * words.length;
    return a;
  };
  return { bus, clock, sh, out, call, str, block };
}

test('console output: WRITEC and WRITE0 go to stderr, :tt w to stdout and :tt a to stderr (as QEMU -nographic)', () => {
  const { out, call, str, block } = setup();
  assert.equal(call(0x03, str('X')), 0);
  assert.equal(call(0x04, str('hello\n')), 0);
  const ttIn = call(0x01, block(str(':tt'), 0, 3));
  const ttOut = call(0x01, block(str(':tt'), 4, 3));
  const ttErr = call(0x01, block(str(':tt'), 8, 3));
  assert.deepEqual([ttIn, ttOut, ttErr], [1, 2, 3], 'handles from 1 upwards');
  assert.equal(call(0x05, block(ttOut, str('out!'), 4)), 0, 'SYS_WRITE returns bytes not written');
  assert.equal(call(0x05, block(ttErr, str('err!'), 4)), 0);
  assert.equal(out.stdout, 'out!');
  assert.equal(out.stderr, 'Xhello\nerr!');
  assert.equal(call(0x09, block(ttOut)), 0, 'ISTTY follows the host stream: not a terminal here');
  assert.equal(call(0x05, block(77, str('x'), 1)), 1, 'bad handle: nothing written');
  assert.equal(call(0x13, 0), 9, 'EBADF');
  assert.equal(call(0x02, block(ttErr)), 0);
  assert.equal(call(0x01, block(str(':tt'), 8, 3)), 3, 'lowest free handle is reused');
});

test('reading stdin: SYS_READ returns the bytes not read, SYS_READC one character', () => {
  const { bus, call, str, block } = setup();
  const h = call(0x01, block(str(':tt'), 0, 3));
  const buf = RAM + 0x8000;
  assert.equal(call(0x06, block(h, buf, 3)), 0);
  assert.equal(new TextDecoder().decode(Uint8Array.from([0, 1, 2], (i) => bus.read8(buf + i))), 'typ');
  assert.equal(call(0x07, 0), 'e'.charCodeAt(0));
  assert.equal(call(0x06, block(h, buf, 10)), 8, 'two bytes left, eight not read');
});

test('the :semihosting-features file says SHFB with EXIT_EXTENDED and STDOUT_STDERR', () => {
  const { bus, call, str, block } = setup();
  const h = call(0x01, block(str(':semihosting-features'), 0, 21));
  assert.equal(h, 1);
  assert.equal(call(0x0c, block(h)), 5, 'FLEN');
  const buf = RAM + 0x8000;
  assert.equal(call(0x06, block(h, buf, 8)), 3, '5 of 8 bytes read');
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => bus.read8(buf + i)), [0x53, 0x48, 0x46, 0x42, 0x03]);
});

test('exit statuses as QEMU 7.2 computes them', () => {
  const cases: [number, number, number, number][] = [
    // op, reason (r1 for SYS_EXIT, block word 0 for EXIT_EXTENDED), subcode, status
    [0x18, ADP_Stopped_ApplicationExit, 0, 0],
    [0x18, 0x20023, 0, 1], // BranchThroughZero
    [0x18, 0x20024, 0, 1],
    [0x20, ADP_Stopped_ApplicationExit, 7, 7],
    [0x20, ADP_Stopped_ApplicationExit, 300, 300], // the shell sees 300 & 0xff = 44
    [0x20, 0x20023, 7, 1],
  ];
  for (const [op, reason, sub, status] of cases) {
    const { sh, call, block } = setup();
    let seen = -1;
    sh.onExit = (e) => (seen = e.status);
    call(op, op === 0x18 ? reason : block(reason, sub));
    assert.equal(sh.exit?.status, status, `op 0x${op.toString(16)} reason 0x${reason.toString(16)} sub ${sub}`);
    assert.equal(seen, status);
  }
});

test('clock, heap info, command line, errno', () => {
  const { bus, clock, call, str, block } = setup();
  clock.now = 25_000_000 * 2.5; // 2.5 s of simulated time
  assert.equal(call(0x10, 0), 250, 'SYS_CLOCK in centiseconds of simulated time');
  assert.ok(Math.abs(call(0x11, 0) - Date.now() / 1000) < 5, 'SYS_TIME');
  const hb = block(0, 0, 0, 0);
  const p = block(hb);
  assert.equal(call(0x16, p), 0);
  assert.deepEqual([0, 1, 2, 3].map((i) => bus.read32(hb + 4 * i)), [0x21000000, 0x22000000, 0x22000000, 0x21000000]);
  const buf = RAM + 0x9000;
  const cb = block(buf, 80);
  assert.equal(call(0x15, cb), 0);
  assert.equal(bus.read32(cb + 4), 10);
  assert.equal(new TextDecoder().decode(Uint8Array.from({ length: 10 }, (_, i) => bus.read8(buf + i))), 'fw.elf arg');
  assert.equal(call(0x15, block(buf, 4)), -1, 'buffer too small');
  assert.equal(call(0x13, 0), 22, 'EINVAL');
  assert.equal(call(0x12, block(str('rm -rf /'), 8)), -1, 'SYS_SYSTEM is refused');
  assert.equal(call(0x31, 0), 25_000_000, 'TICKFREQ');
  // A parameter block in unmapped memory: -1 and EFAULT, not a simulator crash.
  assert.equal(call(0x05, 0x90000000), -1);
  assert.equal(call(0x13, 0), 14);
});

test('host files: off by default, confined to the directory when enabled', () => {
  const off = setup();
  assert.equal(off.call(0x01, off.block(off.str('/etc/passwd'), 0, 11)), -1);
  assert.equal(off.call(0x13, 0), 2, 'ENOENT: with file access off nothing is there');

  const dir = mkdtempSync(path.join(tmpdir(), 'tsprobe-sh-'));
  try {
    writeFileSync(path.join(dir, 'in.txt'), 'file data');
    const { bus, call, str, block } = setup({ fileRoot: dir });
    const h = call(0x01, block(str('in.txt'), 1, 6));
    assert.ok(h > 0);
    assert.equal(call(0x0c, block(h)), 9, 'FLEN');
    const buf = RAM + 0x8000;
    assert.equal(call(0x0a, block(h, 5)), 0, 'SEEK');
    assert.equal(call(0x06, block(h, buf, 10)), 6, '4 bytes read');
    assert.equal(String.fromCharCode(...[0, 1, 2, 3].map((i) => bus.read8(buf + i))), 'data');
    const w = call(0x01, block(str('out.txt'), 4, 7));
    assert.equal(call(0x05, block(w, str('written'), 7)), 0);
    call(0x02, block(w));
    assert.equal(readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'written');
    assert.equal(call(0x01, block(str('../escape.txt'), 4, 13)), -1, 'cannot leave the directory');
    assert.equal(call(0x13, 0), 13, 'EACCES');
    assert.equal(call(0x01, block(str('missing.txt'), 0, 11)), -1);
    assert.equal(call(0x13, 0), 2, 'ENOENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
