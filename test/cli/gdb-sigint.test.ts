// `tsprobe gdb` stops cleanly on one SIGINT (Ctrl-C) after gdb-multiarch loaded firmware
// through it: exit status 0 and the closing report, never killed by the signal (130).
// Several rounds, with and without --load, because the failure was intermittent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gdbAvailable, runGdb } from '../gdb/gdb-runner.js';
import { ROOT, startTsprobe } from '../gdb/harness.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/demo.elf');
const skip = gdbAvailable() ? false : 'gdb-multiarch is not installed';

/** SIGINT (`again`: a second one 2 ms later, as an impatient Ctrl-C); the exit code and signal, or SIGKILL after 10 s. */
async function interrupt(proc: import('node:child_process').ChildProcess, again: boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  proc.kill('SIGINT');
  if (again) setTimeout(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGINT'), 2);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

for (const preload of [false, true]) {
  test(`gdb load through \`tsprobe gdb\`${preload ? ' --load' : ''}, then one SIGINT: exit status 0 and the closing report`, { skip, timeout: 120000 }, async () => {
    for (let round = 0; round < 4; round++) {
      const server = await startTsprobe(['gdb', '--target', 'sim:mps2-an385', '--port', '0', ...(preload ? ['--load', ELF] : [])]);
      try {
        const r = await runGdb({ elf: ELF, timeoutMs: 30000, commands: [`target extended-remote 127.0.0.1:${server.port}`, 'load', 'detach'] });
        assert.match(r.output, /Transfer rate/, r.output);
        // Right after gdb goes (its detach may still be being served), as a user's Ctrl-C would.
        const { code, signal } = await interrupt(server.proc, round % 2 === 1);
        assert.equal(signal, null, `round ${round}: killed by ${signal}\n${server.log()}`);
        assert.equal(code, 0, `round ${round}: exit status ${code}\n${server.log()}`);
        assert.match(server.stderr(), /packets answered as unsupported: /, server.log());
      } finally {
        await server.stop();
      }
    }
  });
}
