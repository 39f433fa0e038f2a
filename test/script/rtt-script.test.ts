// RTT from a TypeScript script (`tsprobe run`): target.rtt() finds the RTT demo's control
// block at its _SEGGER_RTT symbol (--load), reads up channel 0 and writes a line into down
// channel 0, which the firmware echoes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, TEST_ENV } from '../support/tsprobe-server.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/rtt-demo.elf');

test('scripts: target.rtt() reads the up channel and writes the down channel', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-rtt-script-'));
  try {
    const ts = join(dir, 'rtt.ts');
    writeFileSync(
      ts,
      [
        'await target.resume();',
        'const rtt = await target.rtt();',
        'console.log(rtt.describe());',
        "let text = '';",
        'const take = async () => { text += new TextDecoder().decode(await rtt.read(0)); };',
        "while (!text.includes('line 3\\n')) { await take(); await sleep(5); }",
        "console.log('wrote', await rtt.write(0, 'from a script\\n'));",
        "while (!text.includes('echo from a script\\n')) { await take(); await sleep(5); }",
        "console.log(text.split('\\n').slice(0, 4).join('|'));",
        "console.log(text.match(/^rtt-demo: echo .*$/m)?.[0]);",
        '',
      ].join('\n'),
    );
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'run', '--target', 'sim:mps2-an385', '--load', ELF, ts], { encoding: 'utf8', timeout: 60000, env: TEST_ENV }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        "RTT control block at 0x20000480: up 0 'Terminal' 1024 B; down 0 'Terminal' 64 B",
        'wrote 14',
        'rtt-demo: line 0|rtt-demo: line 1|rtt-demo: line 2|rtt-demo: line 3',
        'rtt-demo: echo from a script',
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
