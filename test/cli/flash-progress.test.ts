// The flash command's progress display with a fake clock: bars redrawn in place on a
// TTY (throttled), one summary line per phase otherwise, nothing with quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhaseProgress, formatBytes, formatRate } from '../../src/cli/progress.js';

function run(opts: { tty: boolean; quiet?: boolean }) {
  let t = 0;
  let out = '';
  const p = new PhaseProgress({ write: (s: string) => (out += s) }, { ...opts, columns: 80, now: () => t });
  // erase 128 KiB over 50 ms; program 256 KiB over 1 s in 16 KiB steps every 62.5 ms; verify
  p.update('erase', 0, 131072);
  t = 50;
  p.update('erase', 131072, 131072);
  for (let i = 0; i <= 16; i++) {
    p.update('program', i * 16384, 262144);
    t += 62.5;
  }
  t = 1050;
  p.end();
  return { out, finished: p.finished };
}

test('not a TTY: one line per phase with bytes, time and speed, no carriage returns', () => {
  const { out, finished } = run({ tty: false });
  assert.equal(out, 'erase: 128.0 KiB in 50 ms (2.50 MiB/s)\nprogram: 256.0 KiB in 1.00 s (256.0 KiB/s)\n');
  assert.deepEqual(finished.map((f) => [f.name, f.bytes]), [['erase', 131072], ['program', 262144]]);
});

test('TTY: bars redrawn in place, at most every 100 ms plus the final state; each phase keeps its last line', () => {
  const { out } = run({ tty: true });
  const draws = out.split('\r').filter(Boolean);
  const program = draws.filter((d) => d.startsWith('program'));
  // 17 updates 62.5 ms apart: drawn at 0, 125, 250, ... (every other one), the 100% one, and at the end
  assert.ok(program.length >= 9 && program.length <= 11, `${program.length} redraws`);
  assert.match(program[program.length - 1], /^program \[#+\] 100%  256\.0 KiB \/ 256\.0 KiB  256\.0 KiB\/s\x1b\[K\n$/);
  assert.match(program[0], /^program \[ +\]   0%  0 B \/ 256\.0 KiB  /);
  const half = program.find((d) => / 50% /.test(d));
  assert.ok(half, 'a redraw at 50%');
  assert.equal((half!.match(/#/g) ?? []).length * 2, half!.indexOf(']') - half!.indexOf('[') - 1, 'half the bar filled');
  assert.equal(out.split('\n').length - 1, 2, 'one finished line per phase');
  assert.ok(draws.every((d) => d.length <= 80 + 4), 'fits in 80 columns');
});

test('a phase that fails says where it stopped', () => {
  let out = '';
  const p = new PhaseProgress({ write: (s: string) => (out += s) }, { tty: false, now: () => 0 });
  p.update('program', 32768, 131072);
  p.end(true);
  assert.equal(out, 'program: stopped after 32.0 KiB of 128.0 KiB\n');
  p.end(true); // nothing left to end
  assert.equal(p.finished.length, 1);
});

test('quiet: nothing is written; sizes and rates format', () => {
  assert.equal(run({ tty: true, quiet: true }).out, '');
  assert.equal(run({ tty: false, quiet: true }).out, '');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * 1024 * 1024), '3.00 MiB');
  assert.equal(formatRate(5 * 1024 * 1024, 1), '5.00 MiB/s');
  assert.equal(formatRate(100, 0), '- KiB/s');
});
