// `tsprobe rtt` on the RTT demo firmware (firmware/src/rtt-demo.c: "rtt-demo: line N"
// every 10 ms on up channel 0, lines from down channel 0 echoed): in one process with
// input on stdin, and through `tsprobe dap` where a second run finds the block by
// scanning RAM while the firmware keeps running; a wrong address is a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI, ROOT, TEST_ENV, startTsprobe } from '../support/tsprobe-server.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/rtt-demo.elf');

function rtt(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'rtt', ...args], { env: TEST_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    // Input goes once the block is found (tsprobe says so on stderr).
    const feed = () => {
      if (!/RTT control block at/.test(stderr)) return;
      child.stderr.off('data', feed);
      child.stdin.end(input);
    };
    child.stderr.on('data', feed);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The demo's numbered lines in the output, checked to follow one another. */
function numbered(out: string): number[] {
  const ns = [...out.matchAll(/^rtt-demo: line (\d+)\n/gm)].map((m) => Number(m[1])); // whole lines (a run may end inside one)
  for (let i = 1; i < ns.length; i++) assert.equal(ns[i], ns[i - 1] + 1, `line ${ns[i - 1]} then ${ns[i]}`);
  return ns;
}

test('tsprobe rtt: up channel 0 on stdout, stdin to down channel 0', async () => {
  const r = await rtt(['--target', 'sim:mps2-an385', '--load', ELF, '--duration', '600'], 'hello rtt\nsecond line\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /RTT control block at 0x[0-9a-f]{8}: up 0 'Terminal' 1024 B; down 0 'Terminal' 64 B/);
  const ns = numbered(r.stdout);
  assert.equal(ns[0], 0);
  assert.ok(ns.length >= 5, r.stdout.slice(0, 300));
  assert.match(r.stdout, /^rtt-demo: echo hello rtt$/m);
  assert.match(r.stdout, /^rtt-demo: echo second line$/m);
  assert.match(r.stderr, /RTT \d+ bytes from the target, 22 to it\n$/);
});

test('tsprobe rtt --probe tcp://: found by scanning RAM while the firmware runs on; a wrong address is refused', async () => {
  const dap = await startTsprobe(['dap', '--target', 'sim:mps2-an385', '--port', '0', '-q'], { env: TEST_ENV });
  try {
    const probe = `tcp://127.0.0.1:${dap.port}`;
    const first = await rtt(['--probe', probe, '--load', ELF, '--duration', '400']);
    assert.equal(first.code, 0, first.stderr);
    const a = numbered(first.stdout);
    const second = await rtt(['--probe', probe, '--search', '0x20000000:0x10000', '--duration', '400']);
    assert.equal(second.code, 0, second.stderr);
    const b = numbered(second.stdout);
    assert.ok(a.length >= 3 && b.length >= 3);
    assert.ok(b[0] > a[a.length - 1], `the second run continues the count (${a.at(-1)} then ${b[0]})`);
    const bad = await rtt(['--probe', probe, '--address', '0x20000000', '--duration', '100']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /no RTT control block at 0x20000000: its id reads/);
  } finally {
    await dap.stop();
  }
});
