// `npm start` as a user runs it: the command is read from package.json and started as
// a subprocess (with the ports moved off 3333/4441 so that tests do not collide), the
// banner says how to connect, the demo's USART1 greeting reaches stdout, and Debian's
// gdb-multiarch connects as the banner says, stops in the floating-point function
// fp_registers and reads d0-d15 and FPSCR, which must hold what that function computes
// (worked out here with JS doubles and exact BigInt arithmetic), and sees the tick
// counter advance and the LED pin toggle between two stops.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const haveGdb = spawnSync('gdb-multiarch', ['--version']).status === 0;

/** package.json's start script as argv for this node (it is a plain `node ...` line). */
function startCommand(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts.start.trim().split(/\s+/);
  assert.equal(words[0], 'node', `npm start is expected to be a node command: ${pkg.scripts.start}`);
  assert.ok(!/['"$;&|]/.test(pkg.scripts.start), 'no shell syntax in the start script (this test splits it on spaces)');
  return words.slice(1);
}

interface Started {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
  home: string;
}

function start(extra: string[]): Started {
  const home = mkdtempSync(join(tmpdir(), 'tsprobe-start-'));
  const child = spawn(process.execPath, [...startCommand(), ...extra], {
    cwd: ROOT,
    env: { ...process.env, TSPROBE_HOME: home, TSPROBE_NO_USB_SCAN: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited, home };
}

/** Wait (bounded) until `ready()` returns something; `what` names it in the failure. */
async function until<T>(s: Started, what: string, ready: () => T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = ready();
    if (v) return v;
    if (s.child.exitCode !== null) throw new Error(`npm start exited (${s.child.exitCode}) before ${what}:\n${s.err()}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within 30 s:\nstderr: ${s.err()}\nstdout: ${s.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(s: Started): Promise<number | null> {
  if (s.child.exitCode === null) s.child.kill('SIGINT');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  const code = await s.exited;
  clearTimeout(timer);
  rmSync(s.home, { recursive: true, force: true });
  return code;
}

// ---- what fp_registers (firmware/src/stm32h7-fp.S) computes, independently ----

const bitsOf = (v: number): bigint => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0);
};

/** A finite double as m * 2^e exactly. */
function exact(v: number): { m: bigint; e: number } {
  const bits = bitsOf(v);
  const sign = bits >> 63n ? -1n : 1n;
  const field = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return field === 0 ? { m: sign * frac, e: -1074 } : { m: sign * (frac | (1n << 52n)), e: field - 1075 };
}

/** a * b + c rounded once (VFMA): exact in BigInt, then Number() rounds to nearest even. */
function fusedMulAdd(a: number, b: number, c: number): number {
  const A = exact(a), B = exact(b), C = exact(c);
  const pe = A.e + B.e;
  const e = Math.min(pe, C.e);
  const sum = ((A.m * B.m) << BigInt(pe - e)) + (C.m << BigInt(C.e - e));
  return Number(sum) * 2 ** e; // scaling by a power of two is exact in this range
}

/** d0-d15 as raw 64-bit patterns, and FPSCR, at fp_registers_done for inputs x, y. */
function expectedRegisters(x: number, y: number): { d: bigint[]; fpscr: number } {
  const d2 = x + y, d3 = x - y, d4 = x * y, d5 = x / y, d6 = Math.sqrt(x);
  const d7 = fusedMulAdd(x, y, d2);
  const d8 = -y;
  const d9 = d3 + d4 * d5; // VMLA: the product is rounded, then the sum
  const d10 = 0.5, d11 = d5 * d10;
  const t = Math.trunc(d5 * d6); // VCVT.S32.F64 rounds toward zero; small and positive here
  const d12 = BigInt(t >>> 0); // only the low word is written; the high word was zeroed
  const d13 = t, d14 = Math.max(d3, d4), d15 = d6 / d2;
  const d0 = d2 + d15;
  const d = [d0, y, d2, d3, d4, d5, d6, d7, d8].map(bitsOf);
  d.push(bitsOf(d9), bitsOf(d10), bitsOf(d11), d12, bitsOf(d13), bitsOf(d14), bitsOf(d15));
  // FPSCR: cleared by the function, then VCMP d2, d3 sets NZCV (greater: 0010, less: 1000,
  // equal: 0110) and any rounded result sets the cumulative IXC (bit 4); no other
  // exception can occur for these finite, moderate values. sqrt(2) is irrational, so at
  // least that result is rounded (its square is not 2).
  const nzcv = d2 > d3 ? 0b0010 : d2 < d3 ? 0b1000 : 0b0110;
  const inexact = d6 * d6 !== x;
  return { d, fpscr: ((nzcv << 28) | (inexact ? 1 << 4 : 0)) >>> 0 };
}

test('the expected-value model: fusedMulAdd rounds once where a*b+c rounds twice', () => {
  // 0.1 * 10 is 1 + 2^-54 exactly; rounded first it is 1.0, so 0.1*10 - 1 is 0, but fused it is 2^-54.
  assert.equal(0.1 * 10 - 1, 0);
  assert.equal(fusedMulAdd(0.1, 10, -1), 2 ** -54);
  assert.equal(fusedMulAdd(2, 3, 4), 10);
});

test('npm start: the banner, the demo on sim:stm32h743, gdb-multiarch in fp_registers reads d0-d15 and fpscr', { skip: !haveGdb && 'gdb-multiarch not installed', timeout: 120_000 }, async () => {
  const s = start(['--gdb-port', '0', '--dap-port', '0']);
  try {
    const [, elf, port] = await until(s, 'banner', () => /^ {2}gdb: +gdb-multiarch (\S+) -ex 'target extended-remote 127\.0\.0\.1:(\d+)'$/m.exec(s.err()));
    assert.equal(elf, 'firmware/build/stm32h743/demo-fpu.elf');
    assert.match(s.err(), /^tsprobe: sim:stm32h743 running firmware\/build\/stm32h743\/demo-fpu\.elf$/m);
    assert.match(s.err(), /^ {2}CMSIS-DAP: 127\.0\.0\.1:\d+ over TCP/m);
    assert.match(s.err(), /^ {2}console: +USART1/m);
    assert.match(s.err(), /^ {2}quit: +Ctrl-C$/m);
    await until(s, 'greeting and first tick on USART1', () => /count 1 at 100 ms/.test(s.out()));
    assert.match(s.err(), /^tsprobe: firmware\/build\/stm32h743\/demo-fpu\.elf: \d+ bytes programmed \(128 KiB erased\)$/m, 'programmed through the flash driver');
    assert.match(s.out(), /^Hello from tsprobe's stm32h743 demo: DBGMCU IDCODE 0x20036450, CPUID 0x411fc271, core at 400 MHz\r\n/);
    // The console is the UART both ways: a typed line reaches the firmware, which echoes it.
    s.child.stdin!.write('Z\n');
    await until(s, 'echo of a typed byte', () => /echo: Z\r\n/.test(s.out()));

    const regs = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9', 'd10', 'd11', 'd12', 'd13', 'd14', 'd15', 'fpscr'];
    const ODR = '*(unsigned *)0x58020014'; // GPIOA_ODR: the LED is PA1
    const gdb = spawnSync(
      'gdb-multiarch',
      ['-nx', '-batch', join(ROOT, elf),
        '-ex', `target extended-remote 127.0.0.1:${port}`,
        '-ex', 'break *fp_registers_done', '-ex', 'continue',
        '-ex', `info registers ${regs.join(' ')}`,
        '-ex', 'p $d0', '-ex', 'p fp_x', '-ex', 'p fp_y',
        '-ex', 'echo MARK1\\n', '-ex', 'p counter', '-ex', `p/x ${ODR}`,
        '-ex', 'continue',
        '-ex', 'echo MARK2\\n', '-ex', 'p counter', '-ex', `p/x ${ODR}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const all = gdb.stdout + gdb.stderr;
    assert.equal(gdb.status, 0, all);
    assert.match(all, /Breakpoint 1, fp_registers \(\) at src\/stm32h7-fp\.S/);

    // The inputs, as the firmware has them (2.0 and 0.1 in its source).
    const values = [...all.matchAll(/^\$\d+ = (\S+)$/gm)].map((m) => m[1]);
    const [d0Printed, x, y] = values.slice(0, 3).map(Number);
    assert.deepEqual([x, y], [2, 0.1]);

    const expected = expectedRegisters(x, y);
    const raw = new Map<string, bigint>();
    for (const m of all.matchAll(/^(d\d+) +\S+ +\(raw (0x[0-9a-f]+)\)$/gm)) raw.set(m[1], BigInt(m[2]));
    for (let i = 0; i < 16; i++) {
      assert.equal(raw.get(`d${i}`)?.toString(16), expected.d[i].toString(16), `d${i}\n${all}`);
    }
    const fpscr = /^fpscr +0x([0-9a-f]+) /m.exec(all);
    assert.ok(fpscr, all);
    assert.equal(parseInt(fpscr[1], 16), expected.fpscr, `fpscr 0x${fpscr[1]}, expected 0x${expected.fpscr.toString(16)}`);
    assert.equal(d0Printed, new DataView(new BigUint64Array([expected.d[0]]).buffer).getFloat64(0, true), 'p $d0 prints the result');

    // One tick later (the next stop in fp_registers): the counter advanced by one and the LED toggled.
    const after = (mark: string) => [...all.slice(all.indexOf(mark)).matchAll(/^\$\d+ = (\S+)$/gm)].slice(0, 2).map((m) => Number(m[1]));
    const [count1, odr1] = after('MARK1');
    const [count2, odr2] = after('MARK2');
    assert.ok(count1 >= 1, all);
    assert.equal(count2, count1 + 1, all);
    assert.equal(odr1 ^ odr2, 0x2, `PA1 toggles every tick: ODR ${odr1} then ${odr2}`);
    // The run continues after gdb detaches.
    const seen = s.out().length;
    await until(s, 'USART output after gdb detached', () => /count \d+ at/.test(s.out().slice(seen)));
  } finally {
    const code = await stop(s);
    assert.equal(code, 0, `npm start ends cleanly on SIGINT:\n${s.err()}`);
  }
});

test('npm start with the gdb port taken: a one-line message naming the port and --gdb-port, exit status 2', { timeout: 60_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = (blocker.address() as AddressInfo).port;
  const s = start(['--gdb-port', String(taken), '--dap-port', '0']);
  try {
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([s.exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 30_000)))]);
    clearTimeout(timer);
    assert.equal(code, 2, s.err());
    assert.equal(s.err().trim(), `tsprobe: port ${taken} is in use (another tsprobe, OpenOCD or gdbserver?); stop it, or choose another port with --gdb-port N (0 picks a free one)`);
    assert.equal(s.out(), '', 'the firmware does not start');
  } finally {
    await stop(s);
    blocker.close();
  }
});
