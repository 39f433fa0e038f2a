// tsprobe run / init / serve as a user runs them: script errors point at the script's
// own file and line, the factory reset keeps a backup, and gdb's `monitor python` /
// `monitor js` evaluate in the probe started by `tsprobe serve`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// These checks are written for the MPS2 AN385 (its demo, memory map and CPUID); the
// default target is the STM32H743 since `npm start` runs there, so name the board.
const onAn385 = (args: string[]) => (args.includes('--target') ? args : [args[0], '--target', 'sim:mps2-an385', ...args.slice(1)]);

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', ...onAn385(args)], { encoding: 'utf8', timeout: 30000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), 'tsprobe-cli-script-'));

test('tsprobe run: TS, JS and Python errors show the script file and line', async () => {
  const dir = tmp();
  try {
    const ts = join(dir, 'bad.ts');
    writeFileSync(ts, 'const a: number = 0x50000000;\n\ninterface X { y: number }\nconsole.log("before");\nawait target.read32(a);\n');
    const js = join(dir, 'bad.js');
    writeFileSync(js, 'console.log("js");\nawait target.halt();\nawait target.reg("r99");\n');
    const py = join(dir, 'bad.py');
    writeFileSync(py, 'import target\nprint("py")\n\ntarget.mem32["x"]\n');
    const [a, b, c] = await Promise.all([cli(['run', ts]), cli(['run', js]), cli(['run', py])]);
    assert.equal(a.code, 1);
    assert.equal(a.stdout, 'before\n');
    assert.match(a.stderr, /^MemoryAccessError: read at 0x50000000 failed: bus fault/);
    assert.match(a.stderr, new RegExp(`${ts.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:5:`));
    assert.doesNotMatch(a.stderr, /dist\/src/);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /unknown core register 'r99'/);
    assert.match(b.stderr, new RegExp(`bad\\.js:3:`));
    assert.equal(c.code, 1);
    assert.equal(c.stdout, 'py\n');
    assert.match(c.stderr, new RegExp(`File "${py.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}", line 4, in <module>[\\s\\S]*TypeError: address must be an int, not str`));
    const syntax = join(dir, 'syntax.ts');
    writeFileSync(syntax, 'const x = ;\n');
    const d = await cli(['run', syntax]);
    assert.equal(d.code, 1);
    assert.match(d.stderr, /syntax\.ts:1:11: Expression expected/);
    const e = await cli(['run', join(dir, 'missing.py')]);
    assert.match(e.stderr, /cannot read .*missing\.py: no such file/);
    const f = await cli(['run', join(dir, 'script.rb')]);
    assert.match(f.stderr, /unknown script type '.rb'; use .ts, .js, .mjs or .py/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tsprobe init writes a fresh configuration and keeps the old files in a backup', async () => {
  const dir = tmp();
  try {
    const first = await cli(['init', '--dir', dir, '--gdb-port', '3334']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).gdbPort, 3334);
    writeFileSync(join(dir, 'main.py'), 'print("mine")\n');
    writeFileSync(join(dir, 'boot.js'), 'console.log("mine")\n');
    const second = await cli(['init', '--dir', dir]);
    assert.match(second.stdout, /the previous files are in .*backup-/);
    const backup = readdirSync(dir).find((f) => f.startsWith('backup-'))!;
    assert.equal(readFileSync(join(dir, backup, 'main.py'), 'utf8'), 'print("mine")\n');
    assert.ok(existsSync(join(dir, backup, 'boot.js')) && !existsSync(join(dir, 'boot.js')));
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).gdbPort, 3333);
    assert.match(readFileSync(join(dir, 'main.py'), 'utf8'), /def memsrch/);
    const bad = await cli(['init', '--dir', dir, '--target', 'sim:nope']);
    assert.match(bad.stderr, /unknown simulated board 'nope'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const haveGdb = spawnSync('gdb-multiarch', ['--version']).status === 0;

test('tsprobe serve: startup scripts run, gdb monitor python/js evaluate in the probe', { skip: !haveGdb && 'gdb-multiarch not installed', timeout: 60000 }, async () => {
  const dir = tmp();
  // The startup scripts are in place before serve starts: it looks for them at start-up
  // (written afterwards, they raced with a fast start).
  const init = await cli(['init', '--dir', dir]);
  assert.equal(init.code, 0);
  writeFileSync(join(dir, 'boot.js'), 'globalThis.fromBoot = (await target.read32(0xE000ED00)).toString(16);\nconsole.log("boot.js ran");\n');
  const serve = spawn(process.execPath, ['dist/src/cli/main.js', ...onAn385(['serve', '--dir', dir, '--no-repl', '--gdb-port', '0', '--dap-port', '0', '--load', 'firmware/build/mps2-an385/demo.elf'])], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    // boot.js takes precedence over boot.py; main.py is the default one
    let err = '';
    let out = '';
    serve.stdout.on('data', (d) => (out += d));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 20000);
      serve.stderr.on('data', (d) => {
        err += d;
        const m = /gdb server for .* listening on 127\.0\.0\.1:(\d+)/.exec(err);
        if (m && /running .*main\.py/.test(err) && /main\.py: ready/.test(out)) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      serve.stdout.on('data', () => serve.stderr.emit('data', ''));
    });
    assert.match(out, /boot\.js ran/);
    assert.match(err, /CMSIS-DAP \(TCP\) for sim:mps2-an385 listening on 127\.0\.0\.1:\d+/);
    const gdb = spawnSync(
      'gdb-multiarch',
      ['-nx', '-batch', '-ex', `target extended-remote 127.0.0.1:${port}`, '-ex', 'monitor python hex(mem32[0xE000ED00])', '-ex', 'monitor python memsrch(b"Hello", 0, 0x4000)', '-ex', 'monitor js x = 6 * 7', '-ex', 'monitor js x + 1', '-ex', 'monitor js fromBoot', '-ex', 'monitor python "a   b" + "|"', '-ex', 'monitor js "c   d" + "|"', '-ex', 'monitor python 1/0', '-ex', 'monitor help'],
      { encoding: 'utf8', timeout: 30000 },
    );
    const all = gdb.stdout + gdb.stderr;
    const lines = all.split('\n');
    assert.ok(lines.includes('0x410fc231'), gdb.stdout + gdb.stderr);
    assert.match(all, /^\[\d+\]$/m);
    assert.ok(lines.includes('42') && lines.includes('43'), all);
    // the expression as typed: repeated spaces inside string literals stay
    assert.ok(lines.includes('a   b|') && lines.includes('c   d|'), all);
    assert.match(gdb.stdout + gdb.stderr, /410fc231/);
    assert.match(gdb.stdout + gdb.stderr, /ZeroDivisionError: divide by zero/);
    assert.match(gdb.stdout + gdb.stderr, /python <expr> +-- evaluate in the probe's MicroPython/);
  } finally {
    serve.kill('SIGINT');
    await new Promise((r) => serve.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tsprobe run: Ctrl-C stops a JS or Python script looping on target reads, with the script line', { timeout: 60000 }, async () => {
  const dir = tmp();
  try {
    const js = join(dir, 'loop.js');
    writeFileSync(js, 'let n = 0;\nwhile (true) { await target.read32(0x20000000); n++; }\n');
    const py = join(dir, 'loop.py');
    writeFileSync(py, 'import target\nwhile True:\n    target.mem32[0x20000000]\n');
    for (const [file, expect] of [
      [js, /ScriptError: interrupted \(Ctrl-C\)\n\s+at async .*loop\.js:2:/],
      [py, /File ".*loop\.py", line 3[\s\S]*KeyboardInterrupt/],
    ] as const) {
      const p = spawn(process.execPath, ['dist/src/cli/main.js', ...onAn385(['run', file])], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      await new Promise((r) => setTimeout(r, 1500));
      p.kill('SIGINT');
      const timer = setTimeout(() => p.kill('SIGKILL'), 10000);
      const code = await new Promise<number | null>((r) => p.once('exit', r));
      clearTimeout(timer);
      assert.equal(code, 130, err);
      assert.match(err, expect);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tsprobe repl --python and tsprobe repl with piped input', async () => {
  const run = (args: string[], input: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, ['dist/src/cli/main.js', ...onAn385(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), 20000);
      p.once('exit', (code) => (clearTimeout(timer), resolve({ code, out })));
      p.stdin.end(input);
    });
  const [py, js] = await Promise.all([
    run(['repl', '--python'], 'import target\nhex(target.mem32[0xE000ED00])\n'),
    run(['repl'], '(await target.read32(0xE000ED00)).toString(16)\n'),
  ]);
  assert.equal(py.code, 0, py.out);
  assert.match(py.out, /MicroPython v1\.27\.0[\s\S]*>>> hex\(target\.mem32\[0xE000ED00\]\)\r?\n'0x410fc231'/);
  assert.equal(js.code, 0, js.out);
  assert.match(js.out, /'410fc231'/);
});
