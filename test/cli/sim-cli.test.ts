// `tsprobe sim` as a user meets it: one-line errors with no stack trace, the
// `--serial pty` pseudo-terminal, Ctrl-C, the terminal escape keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readSync, writeSync, writeFileSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const fixtures = path.join(root, 'test/cli/fixtures');

function sim(args: string[], input = '') {
  // Generous timeout: the whole suite runs files in parallel on a loaded machine.
  return spawnSync(process.execPath, [cli, 'sim', ...args], { cwd: fixtures, input, encoding: 'utf8', timeout: 60_000 });
}

test('user errors: one line naming the problem, exit status 2, no stack trace', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsprobe-cli-'));
  try {
    const tiny = readFileSync(path.join(fixtures, 'probe.elf'));
    const x86 = Buffer.from(tiny);
    x86.writeUInt16LE(62, 18);
    writeFileSync(path.join(dir, 'x86.elf'), x86);
    writeFileSync(path.join(dir, 'firmware.bin'), Buffer.from([0x00, 0x04, 0x40, 0x20, 0x09, 0x01]));
    writeFileSync(path.join(dir, 'short.elf'), tiny.subarray(0, 0x30));
    const empty = Buffer.from(tiny);
    empty.writeUInt16LE(0, 44); // e_phnum = 0: nothing to load
    writeFileSync(path.join(dir, 'empty.elf'), empty);
    const cases: [string[], RegExp][] = [
      [['--board', 'stm32f4', 'probe.elf'], /^tsprobe: unknown board 'stm32f4'; known boards: mps2-an385, mps2-an386, mps2-an500, stm32h743, stm32h750\n$/],
      [['nothing-here.elf'], /^tsprobe: cannot read firmware 'nothing-here\.elf': no such file\n$/],
      [[path.join(dir, 'x86.elf')], /^tsprobe: .*x86\.elf: built for x86-64 \(e_machine 62\), not ARM \(40\); build it with arm-none-eabi-gcc for a Cortex-M\n$/],
      [[path.join(dir, 'firmware.bin')], /^tsprobe: .*firmware\.bin: not an ELF file/],
      [[path.join(dir, 'short.elf')], /^tsprobe: .*short\.elf: truncated ELF header/],
      [[path.join(dir, 'empty.elf')], /^tsprobe: .*empty\.elf: no loadable segments/],
      [['--serial', 'tcp', 'probe.elf'], /^tsprobe: --serial tcp: expected stdio, pty or none\n$/],
      [[], /^tsprobe: no firmware given; usage: tsprobe sim \[--board <name>\] <firmware\.elf>\n$/],
      [['--semihosting-dir', path.join(dir, 'nope'), 'probe.elf'], /^tsprobe: --semihosting-dir .*nope: not a directory\n$/],
    ];
    for (const [args, pattern] of cases) {
      const r = sim(args);
      assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status} signal ${r.signal} ${r.error ?? ''} stderr: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.split('\n').length, 2, 'exactly one line');
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--board help lists the boards, as QEMU -M help', () => {
  const r = sim(['--board', 'help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Supported boards are:\nmps2-an385  ARM MPS2 with AN385 FPGA image \(Cortex-M3\)\nmps2-an386  .*Cortex-M4.*\nmps2-an500  .*Cortex-M7.*\nstm32h743   .*STM32H743.*\nstm32h750   .*STM32H750.*\n$/);
});

test('a lockup is one line with the faulting address and exit status 134', () => {
  const r = spawnSync(process.execPath, [cli, 'sim', '--board', 'mps2-an385', 'lockup.elf'], {
    cwd: path.join(root, 'firmware/build/mps2-an385'), encoding: 'utf8', timeout: 20_000,
  });
  if (r.error || (r.status === 2 && /cannot read/.test(r.stderr))) return; // firmware not built here
  assert.equal(r.status, 134);
  assert.match(r.stderr, /^tsprobe: core locked up at 0x[0-9a-f]{8} \(HardFault while in HardFault\)\n$/);
});

test('--serial none and --max-cycles', () => {
  const r = sim(['--serial', 'none', 'timer-irq.elf']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '', 'UART output discarded');
  const limited = sim(['--max-cycles', '100000', 'uart-echo.elf']);
  assert.equal(limited.status, 124, limited.stderr);
  assert.equal(limited.stdout, 'echo ready\n');
  assert.match(limited.stderr, /^tsprobe: stopped after 100000 cycles \(--max-cycles\)\n$/);
});

const havePython = spawnSync('python3', ['-c', 'import pty']).status === 0;

test('--serial pty: a pseudo-terminal that a terminal program can open', { skip: !havePython && 'python3 is not available' }, async () => {
  const child = spawn(process.execPath, [cli, 'sim', '--serial', 'pty', 'uart-echo.elf'], { cwd: fixtures, stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
  let stderr = '';
  const ptyPath = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /char device redirected to (\/dev\/pts\/\d+) \(label serial0\)\n/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
  });
  const fd = openSync(ptyPath, 'r+');
  try {
    // The firmware greets, then echoes each line upper-cased.
    let got = '';
    const buf = Buffer.alloc(256);
    const readUntil = async (text: string) => {
      const deadline = Date.now() + 10_000;
      while (!got.includes(text)) {
        assert.ok(Date.now() < deadline, `waiting for ${JSON.stringify(text)}, have ${JSON.stringify(got)}`);
        try {
          const n = readSync(fd, buf, 0, buf.length, null);
          got += buf.subarray(0, n).toString();
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    };
    await readUntil('echo ready\n');
    writeSync(fd, 'pty works\n');
    await readUntil('PTY WORKS\n');
    writeSync(fd, 'quit\n');
    await readUntil('bye\n');
    assert.equal(got, 'echo ready\nPTY WORKS\nbye\n', 'raw pty: no echo, no CR/LF translation');
  } finally {
    closeSync(fd);
  }
  const status = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (c) => resolve(c))));
  assert.equal(status, 0);
});

test('SIGINT (Ctrl-C from a shell) stops the run with status 130', async () => {
  const child = spawn(process.execPath, [cli, 'sim', 'uart-echo.elf'], { cwd: fixtures, stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve) => child.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.includes('echo ready')) resolve();
  }));
  child.kill('SIGINT');
  const status = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(status, 130);
  assert.equal(stderr, 'tsprobe: interrupted\n');
});

test('on a terminal: keys reach the firmware raw; Ctrl-A x or Ctrl-C twice quits', { skip: !havePython && 'python3 is not available' }, () => {
  // Run tsprobe on a pseudo-terminal (python3's pty module), type a line, then the quit keys.
  const script = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.chdir(sys.argv[3])
    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2], 'sim', 'uart-echo.elf'])
out = b''
def pump(until, secs=10):
    global out
    end = time.time() + secs
    while until not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try: out += os.read(fd, 1024)
            except OSError: break
pump(b'echo ready')
os.write(fd, b'ab\\x03cd\\n')
pump(b'AB\\x03CD')
os.write(fd, sys.argv[4].encode('latin1'))
pump(b'tsprobe:')
pump(b'\\n', 2)
_, status = os.waitpid(pid, 0)
sys.stdout.write(repr(out) + '\\n' + str(os.waitstatus_to_exitcode(status)) + '\\n')
`;
  for (const [keys, message] of [['\x01x', 'terminated by Ctrl-A x'], ['\x03\x03', 'interrupted (Ctrl-C twice)']]) {
    const r = spawnSync('python3', ['-c', script, process.execPath, cli, fixtures, keys], { encoding: 'utf8', timeout: 20_000 });
    const [out, code] = r.stdout.trim().split('\n');
    // Raw mode: no local echo of the typed line, and a single Ctrl-C reaches the firmware
    // (no SIGINT). (The terminal's output processing still turns '\n' into '\r\n'.)
    assert.match(out, /^b'echo ready\\r?\\nAB\\x03CD\\r?\\n/);
    assert.ok(out.includes(`tsprobe: ${message}`), out);
    assert.equal(code, '130');
  }
});
