// Starting a tsprobe server (gdb, dap, serve) as its own process, as a user would, and
// waiting until it says where it listens; stopping it as Ctrl-C would, then for good.
// Shared by the tests and the benchmarks that drive tsprobe from outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'dist/src/cli/main.js');
/** The environment for tsprobe processes in tests: no look for USB probes. */
export const TEST_ENV: NodeJS.ProcessEnv = { ...process.env, TSPROBE_NO_USB_SCAN: '1' };

export interface TsprobeServer {
  readonly proc: ChildProcess;
  readonly port: number;
  /** What it printed so far: on stdout, on stderr, and both in arrival order. */
  stdout(): string;
  stderr(): string;
  log(): string;
  /** SIGINT, then SIGKILL if it has not exited within 3 s. */
  stop(): Promise<void>;
}

/** Start `tsprobe ARGS`; resolves with its port once it prints 'listening on 127.0.0.1:PORT'. */
export function startTsprobe(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<TsprobeServer> {
  const proc = spawn(process.execPath, [CLI, ...args], { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let all = '';
  return new Promise((res, rej) => {
    const failed = (why: string) => {
      clearTimeout(timer);
      rej(new Error(`tsprobe ${args.join(' ')} ${why}:\n${all}`));
    };
    const timer = setTimeout(() => {
      failed('did not start');
      void stopProcess(proc);
    }, opts.timeoutMs ?? 15000);
    const look = () => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(all);
      if (!m) return;
      clearTimeout(timer);
      res({ proc, port: Number(m[1]), stdout: () => out, stderr: () => err, log: () => all, stop: () => stopProcess(proc) });
    };
    // latin1: one character per byte, whatever the chunk boundaries.
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      all += d.toString('latin1');
      look();
    });
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString('latin1');
      all += d.toString('latin1');
      look();
    });
    proc.on('exit', (code) => failed(`exited (${code})`));
  });
}

/** Stop a child as Ctrl-C would; kill it if it is still there after 3 s. */
export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
  clearTimeout(timer);
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

