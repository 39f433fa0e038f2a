// The old probe's bmp.tracebuf: a ring buffer in target RAM (bytes, the offset written
// next, the offset read next) logged on tsprobe's console while the probe advances the
// read offset. Here the script itself plays the firmware, writing through the debug port,
// across the wrap; a ring whose offsets leave the buffer stops with a message; wrong
// arguments raise.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, TEST_ENV } from '../support/tsprobe-server.js';

test('bmp.tracebuf logs a target ring buffer across its wrap; bad rings and arguments are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-tracebuf-'));
  try {
    const py = join(dir, 'ring.py');
    writeFileSync(
      py,
      [
        'import bmp, target, time',
        'from target import mem8, mem32',
        'target.halt_request()',
        'buf, head, tail = 0x20001000, 0x20000ff0, 0x20000ff4',
        'mem32[head] = 0',
        'mem32[tail] = 0',
        'print(bmp.tracebuf(cb=[buf, 16, head, tail]))',
        'def put(s):',
        '    h = mem32[head]',
        '    for c in s:',
        '        mem8[buf + h] = c',
        '        h = (h + 1) % 16',
        '    mem32[head] = h',
        'def settle():',
        '    for i in range(100):',
        '        if mem32[tail] == mem32[head]:',
        '            return',
        '        time.sleep_ms(10)',
        "put(b'hello ring\\n')",
        'settle()',
        "put(b'wraps around\\n')",
        'settle()',
        'print(bmp.tracebuf(ena=False))',
        "print('tail', mem32[tail], 'head', mem32[head])",
        'for bad in ([buf, 16, head], ):',
        '    try:',
        '        bmp.tracebuf(cb=bad)',
        '    except ValueError as e:',
        "        print('ValueError', e)",
        'try:',
        '    bmp.disp_fun(print)',
        'except NotImplementedError as e:',
        "    print('NotImplementedError', e)",
        'mem32[head] = 99',
        'bmp.tracebuf(cb=[buf, 16, head, tail])',
        'time.sleep_ms(100)',
        '',
      ].join('\n'),
    );
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'run', '--target', 'sim:mps2-an385', py], { encoding: 'utf8', timeout: 60000, env: TEST_ENV }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'tracebuf on: 16 bytes at 0x20001000',
        'hello ring',
        'wraps around',
        'tracebuf off',
        'tail 8 head 8',
        'ValueError tracebuf(cb=[buf_addr, buf_size, head_addr, tail_addr]): 4 values, got 3',
        'NotImplementedError disp_fun: tsprobe prints trace output on its console; a Python display function is not supported',
        '',
      ].join('\n'),
    );
    assert.match(r.stderr, /ring buffer log stopped: ring buffer: offsets 99\/8 outside its 16-byte buffer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
