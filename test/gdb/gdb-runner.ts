// Runs Debian's gdb-multiarch in batch mode against a server, bounded by a timeout,
// and returns what it printed. Used by the integration tests and the benchmark.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GdbRun {
  output: string;
  code: number | null;
  timedOut: boolean;
  ms: number;
}

export interface GdbRunOptions {
  /** ELF given to gdb as the program (symbols, load). */
  elf?: string;
  /** gdb commands, one -ex each. */
  commands: string[];
  timeoutMs?: number;
  /** Send SIGINT (what Ctrl-C does) once the output matches this, after `interruptDelayMs`. */
  interruptWhen?: RegExp;
  interruptDelayMs?: number;
}

export function gdbAvailable(): boolean {
  try {
    return spawnSync('gdb-multiarch', ['--version'], { timeout: 5000 }).status === 0;
  } catch {
    return false;
  }
}

export function runGdb(opts: GdbRunOptions): Promise<GdbRun> {
  const args = ['-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set confirm off'];
  for (const c of opts.commands) args.push('-ex', c);
  if (opts.elf) args.push(opts.elf);
  const started = performance.now();
  // stdout and stderr share one file so that gdb's messages keep their order (an error
  // such as "Cannot access memory" goes to stderr, the line it belongs to to stdout).
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-gdb-'));
  const file = join(dir, 'out.txt');
  const fd = openSync(file, 'w');
  return new Promise((resolve) => {
    const child = spawn('gdb-multiarch', args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let interrupted = false;
    let timedOut = false;
    const read = () => readFileSync(file, 'utf8');
    const watcher = setInterval(() => {
      if (opts.interruptWhen && !interrupted && opts.interruptWhen.test(read())) {
        interrupted = true;
        setTimeout(() => child.kill('SIGINT'), opts.interruptDelayMs ?? 200);
      }
    }, 50);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 20000);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(watcher);
      const output = read();
      rmSync(dir, { recursive: true, force: true });
      resolve({ output, code, timedOut, ms: performance.now() - started });
    });
  });
}
