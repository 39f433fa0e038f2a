// `tsprobe run script | head -1`: when the reader closes the pipe, tsprobe stops the
// script and exits quietly with 141 (128 + SIGPIPE), as a command killed by SIGPIPE
// does, instead of crashing on EPIPE with a stack trace.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Run a script, close our end of its stdout after the first output; its exit code and stderr. */
function runAndCloseStdout(file: string): Promise<{ code: number | null; signal: string | null; first: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'run', '--target', 'sim:mps2-an385', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file}: tsprobe did not exit after its stdout closed`));
    }, 30000);
    let first = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', (d) => {
      first = String(d).split('\n')[0];
      child.stdout.destroy();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, first, stderr });
    });
  });
}

test('tsprobe run: a Python or TS script whose stdout reader goes away ends quietly with 141', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-pipe-'));
  try {
    const scripts = {
      'reads.py': 'import target\nwhile True:\n    print(hex(target.mem32[0xE000ED00]))\n',
      'pure.py': 'while True:\n    print("no target calls")\n',
      'write.ts': 'for (;;) process.stdout.write(`0x${(await target.read32(0xe000ed00)).toString(16)}\\n`);\n',
      'log.ts': 'for (;;) console.log(`0x${(await target.read32(0xe000ed00)).toString(16)}`);\n',
    };
    for (const [name, src] of Object.entries(scripts)) writeFileSync(join(dir, name), src);
    for (const name of Object.keys(scripts)) {
      const r = await runAndCloseStdout(join(dir, name));
      assert.equal(r.stderr, '', `${name}: nothing on stderr`);
      assert.deepEqual([r.code, r.signal], [141, null], `${name}: exit status`);
      assert.match(r.first, name === 'pure.py' ? /^no target calls$/ : /^0x410fc231$/, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Run a script with stdout on a pipe that we read slowly; everything it printed, and its exit code. */
function runSlowReader(file: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'run', '--target', 'sim:mps2-an385', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    // Pause now and then, so that tsprobe's writes are still queued when the script ends.
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 5);
    });
    child.on('close', (code) => resolve({ code, out: Buffer.concat(chunks).toString('latin1') }));
  });
}

test('tsprobe run: all of a large output reaches a slow pipe reader before tsprobe exits', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-pipe-'));
  try {
    const py = join(dir, 'big.py');
    writeFileSync(py, 'for i in range(20000):\n    print("line %05d ........................................" % i)\nprint("end")\n');
    const ts = join(dir, 'big.ts');
    writeFileSync(ts, 'process.stdout.write("x".repeat(3000000) + "\\n");\nconsole.log("end");\n');
    const [p, t] = await Promise.all([runSlowReader(py), runSlowReader(ts)]);
    assert.equal(p.code, 0);
    assert.equal(p.out.length, 20000 * 52 + 4);
    assert.ok(p.out.endsWith('line 19999 ........................................\nend\n'));
    assert.equal(t.code, 0);
    assert.equal(t.out, 'x'.repeat(3000000) + '\nend\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
