// The REPLs on a simulated target, driven through streams: JavaScript with top-level
// await and completion of the API, MicroPython's own REPL with the target module.
import test from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptHost } from '../../src/script/script-host.js';
import { jsRepl } from '../../src/cli/commands/repl.js';

const until = async (cond: () => boolean, ms = 10000) => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('repl (JavaScript): top-level await on the target, completion, history file', async () => {
  const host = await ScriptHost.open('sim:mps2-an385');
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-repl-'));
  try {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d) => (text += d));
    const history = join(dir, 'repl_history');
    const done = jsRepl(host, { input, output, history, terminal: true });
    input.write('(await target.read32(0xE000ED00)).toString(16)\n');
    await until(() => text.includes("'410fc231'"));
    input.write('target.mem32[0x20000000] = 0x1234; await target.mem32[0x20000000]\n');
    await until(() => text.includes('4660'));
    // Tab completes to the common prefix, a second Tab lists the API's methods
    input.write('target.rea\t');
    await until(() => text.includes('target.read'));
    input.write('\t');
    await until(() => /readBlock/.test(text) && /read32/.test(text));
    input.write('\n.exit\n');
    await done;
    assert.ok(existsSync(history));
    assert.match(readFileSync(history, 'utf8'), /read32\(0xE000ED00\)/);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('repl --python: MicroPython REPL with the target module', async () => {
  let text = '';
  const host = await ScriptHost.open('sim:mps2-an385', {}, { output: (s) => (text += s) });
  try {
    const py = await host.pythonRuntime();
    let exited = false;
    py.onReplExit = () => (exited = true);
    py.replStart();
    await until(() => text.includes('>>> '));
    py.replInput(new TextEncoder().encode('import target\rhex(target.mem32[0xE000ED00])\r'));
    await until(() => text.includes("'0x410fc231'"));
    py.replInput(new TextEncoder().encode('target.mem32[0x50000000]\r'));
    await until(() => /RuntimeError: read at 0x50000000 failed/.test(text));
    // Ctrl-C in a loop of target reads: KeyboardInterrupt, and the REPL goes on
    py.replInput(new TextEncoder().encode('while True:\r    target.mem32[0x20000000]\r\r'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await py.interrupt(), false);
    await until(() => /KeyboardInterrupt/.test(text));
    py.replInput(new TextEncoder().encode('6 * 7\r'));
    await until(() => /\n42\r?\n/.test(text));
  } finally {
    await host.close();
  }
});
