// `tsprobe sim` against `qemu-system-arm -nographic -semihosting -kernel` on the
// same ELFs: the same stdout (UART0 and semihosting ":tt" output), the same
// stderr (semihosting console), the same exit status. Firmware: our fixtures
// (test/cli/fixtures, built by build.sh) and the project's firmware ELFs
// (firmware/build/<board>/*.elf) when present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..'); // dist/test/cli -> repository root
const cli = path.join(root, 'dist/src/cli/main.js');
const fixtures = path.join(root, 'test/cli/fixtures');
const haveQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: string | null;
}

/** Input is typed once `prompt` has appeared on stdout (QEMU drops bytes that arrive before the UART takes them). */
interface Input {
  text: string;
  prompt?: string;
}

function run(cmd: string, args: string[], cwd: string, input: Input, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    let typed = false;
    const type = () => {
      if (typed || (input.prompt !== undefined && !stdout.includes(input.prompt))) return;
      typed = true;
      child.stdin.end(input.text);
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      type();
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    type();
    child.on('close', (status, signal) => resolve({ stdout, stderr, status, signal }));
  });
}

const qemu = (board: string, elf: string, cwd: string, input: Input) =>
  run('qemu-system-arm', ['-M', board, '-nographic', '-semihosting', '-kernel', elf], cwd, input, 10_000);
const tsprobe = (board: string, elf: string, cwd: string, input: Input, extra: string[] = []) =>
  run(process.execPath, [cli, 'sim', '--board', board, ...extra, elf], cwd, input, 20_000);

/** QEMU aborts on lockup with a register dump on stderr; we print one line. Compare what both mean. */
const isLockup = (r: Run) => /Lockup/.test(r.stderr) || /locked up/.test(r.stderr);

async function compare(board: string, dir: string, elf: string, input: Input = { text: '' }, tsprobeDir = dir, extra: string[] = []) {
  const [q, t] = await Promise.all([qemu(board, elf, dir, input), tsprobe(board, elf, tsprobeDir, input, extra)]);
  const what = `${board} ${elf}`;
  assert.notEqual(q.signal, 'SIGKILL', `${what}: QEMU timed out`);
  assert.notEqual(t.signal, 'SIGKILL', `${what}: tsprobe timed out; stdout so far: ${t.stdout.slice(-300)} stderr: ${t.stderr.slice(-300)}`);
  assert.equal(t.stdout, q.stdout, `${what}: stdout (tsprobe status ${t.status}, stderr: ${t.stderr.slice(0, 500)})`);
  if (isLockup(q)) {
    assert.ok(isLockup(t), `${what}: QEMU locked up, tsprobe said: ${t.stderr}`);
    assert.match(t.stderr, /^tsprobe: core locked up at 0x[0-9a-f]{8} \(.*\)\n$/, `${what}: one clear line`);
    assert.equal(t.status, 134, `${what}: exit status as QEMU's abort`);
  } else {
    assert.equal(t.stderr, q.stderr, `${what}: stderr (semihosting console)`);
    assert.equal(t.status, q.status, `${what}: exit status`);
  }
  return { q, t };
}

// uart-echo needs input (its own test below); watchdog runs on host time in QEMU, so
// QEMU's result varies from run to run (tested in-process in test/sim/boards).
// files needs a directory (its own test below).
const notCompared = new Set(['uart-echo.elf', 'uart-irq-echo.elf', 'watchdog.elf', 'files.elf']);
const fixtureElfs = readdirSync(fixtures).filter((f) => f.endsWith('.elf') && !notCompared.has(f)).sort();

for (const board of ['mps2-an385', 'mps2-an386', 'mps2-an500']) {
  test(`${board}: our fixtures behave as on QEMU`, { skip: !haveQemu && 'qemu-system-arm is not installed' }, async () => {
    // The exit-status variants once (they do not depend on the board), the rest on every board.
    const list = board === 'mps2-an385' ? fixtureElfs : fixtureElfs.filter((f) => !f.startsWith('exit-'));
    for (const elf of list) await compare(board, fixtures, elf);
  });

  test(`${board}: UART0 input from stdin (line echo)`, { skip: !haveQemu && 'qemu-system-arm is not installed' }, async () => {
    const { t } = await compare(board, fixtures, 'uart-echo.elf', { text: 'hello\nabc\nquit\n', prompt: 'echo ready\n' });
    assert.equal(t.stdout, 'echo ready\nHELLO\nABC\nbye\n');
    // Interrupt-driven input with the core asleep in WFI between bytes.
    const irq = await compare(board, fixtures, 'uart-irq-echo.elf', { text: 'hello\nquit\n', prompt: 'irq echo ready\n' });
    assert.equal(irq.t.stdout, 'irq echo ready\nolleh\nbye\n');
  });

  test(`${board}: semihosting host files (QEMU in its working directory, tsprobe in --semihosting-dir)`, { skip: !haveQemu && 'qemu-system-arm is not installed' }, async () => {
    const qemuDir = mkdtempSync(path.join(tmpdir(), 'tsprobe-qemu-files-'));
    const ourDir = mkdtempSync(path.join(tmpdir(), 'tsprobe-sim-files-'));
    try {
      const elf = path.join(fixtures, 'files.elf');
      const { t } = await compare(board, qemuDir, elf, { text: '' }, fixtures, ['--semihosting-dir', ourDir]);
      assert.match(t.stdout, /^write 00000000 close 00000000 flen 00000011/);
      assert.deepEqual(readdirSync(ourDir), [], 'the firmware removed its file');
    } finally {
      rmSync(qemuDir, { recursive: true, force: true });
      rmSync(ourDir, { recursive: true, force: true });
    }
  });

  const built = path.join(root, 'firmware/build', board);
  // The firmware that runs as a program and exits (not the benchmark or the differential test's runners).
  const programs = /^(demo|exit-status|lockup|selftest-.*)\.elf$/;
  const firmware = existsSync(built) ? readdirSync(built).filter((f) => programs.test(f)).sort() : [];
  test(`${board}: the project's firmware (firmware/build/${board}) behaves as on QEMU`, { skip: (!haveQemu && 'qemu-system-arm is not installed') || (firmware.length === 0 && 'no firmware built') }, async () => {
    for (const elf of firmware) await compare(board, built, elf);
  });
}
