// SWO trace from scripts, run as a user runs them (`tsprobe run`): Python's bmp.traceswo
// (the old probe's module API) and TypeScript's target.traceSwo() on the ITM demo, and a
// script's own onStimulus handler collecting port 1's words.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, TEST_ENV } from '../support/tsprobe-server.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/itm-demo.elf');

function run(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'run', '--target', 'sim:mps2-an385', '--load', ELF, script], { encoding: 'utf8', timeout: 60000, env: TEST_ENV }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const lines = (n: number) => [...Array(n).keys()].map((k) => `itm-demo: line ${k}\n`).join('');

test('scripts: bmp.traceswo in Python, target.traceSwo in TypeScript', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-swo-script-'));
  try {
    const py = join(dir, 'trace.py');
    writeFileSync(py, ['import bmp, target, time', 'print(bmp.traceswo(uart=1923076, chan=[0]))', 'target.halt_resume(False)', 'time.sleep_ms(300)', 'target.halt_request()', 'print(bmp.traceswo())', ''].join('\n'));
    const ts = join(dir, 'trace.ts');
    writeFileSync(
      ts,
      [
        'const squares: number[] = [];',
        "const r = await target.traceSwo({ ports: [0, 1], onStimulus: (port, b) => { if (port === 1) squares.push(b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)); } });",
        "console.log('prescaler', r.tpiu?.prescaler);",
        'await target.resume();',
        'await sleep(300);',
        'await target.halt();',
        'await target.stopSwo();',
        "console.log('squares', squares.slice(0, 5).join(','), squares.every((v, i) => v === i * i));",
        '',
      ].join('\n'),
    );
    const [p, t] = await Promise.all([run(py), run(ts)]);
    assert.equal(p.code, 0, p.stderr);
    const first = 'SWO trace on: 1923076 baud, TPIU prescaler 13\n';
    assert.ok(p.stdout.startsWith(first + lines(3)), p.stdout.slice(0, 300));
    // The core may halt inside a line; what it wrote before is all there (the FIFO drains at the halt).
    assert.ok(p.stdout.endsWith('SWO trace off\n'), JSON.stringify(p.stdout.slice(-300)));
    const traced = p.stdout.slice(first.length, -'SWO trace off\n'.length);
    const n = (traced.match(/itm-demo: line /g) ?? []).length;
    assert.ok(lines(n).startsWith(traced), traced.slice(-200));
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^prescaler 13\nsquares 0,1,4,9,16 true\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
