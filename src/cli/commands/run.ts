// `tsprobe run script.ts|script.js|script.py [args...] [--target sim:<board>] [--load fw.elf]`:
// open the target, run one script against it, close. JavaScript/TypeScript scripts see
// the target as the global `target` (see src/script); Python scripts import `target`.
// Ctrl-C stops the script at its next target call; a second Ctrl-C ends tsprobe.
import type { Command } from 'commander';
import { ScriptHost, scriptLanguage } from '../../script/script-host.js';
import { ScriptFailure } from '../../script/js-runner.js';
import { ScriptError } from '../../script/target.js';
import { TargetSpecError } from '../../probe/target-spec.js';
import { ProbeOpenError } from '../../probe/open-target.js';
import { addProbeOptions, TARGET_HELP } from '../../probe/cli-options.js';
import { AdiError } from '../../adi/errors.js';
import { CortexMError } from '../../cortexm/cortex-m.js';
import { UserError, runAction } from '../errors.js';
import { exitWhenFlushed } from '../exit.js';

/** 128 + SIGPIPE, what a shell reports for a writer whose reader closed the pipe. */
const EXIT_SIGPIPE = 141;

export interface OpenScriptOptions {
  target?: string;
  probe?: string;
  frequency?: string;
  load?: string;
}

/** Open a ScriptHost; errors a user can fix become UserError. */
export async function openScriptHost(opts: OpenScriptOptions, args: string[] = []): Promise<ScriptHost> {
  try {
    return await ScriptHost.open(opts.target, { load: opts.load, probe: opts.probe, frequency: opts.frequency }, { args });
  } catch (e) {
    if (e instanceof TargetSpecError || e instanceof ProbeOpenError || e instanceof ScriptError || e instanceof AdiError || e instanceof CortexMError) throw new UserError(e.message);
    throw e;
  }
}

export async function runCommand(file: string, args: string[], opts: OpenScriptOptions): Promise<number> {
  try {
    scriptLanguage(file);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const host = await openScriptHost(opts, args);
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\ntsprobe: interrupting the script (Ctrl-C again to quit)\n');
    void host.interrupt();
  };
  process.on('SIGINT', onSigint);
  // The reader went away (`tsprobe run s.py | head -1`): stop quietly with the status a
  // command killed by SIGPIPE has, but release the probe first. Node reports a closed
  // pipe as an 'error' event on stdout, which would otherwise crash with a stack trace.
  let stdoutGone = false;
  const onStdoutError = (e: NodeJS.ErrnoException) => {
    if (stdoutGone) return;
    stdoutGone = true;
    if (e.code !== 'EPIPE') process.stderr.write(`tsprobe: cannot write to stdout: ${e.message}\n`);
    const quit = () => process.exit(e.code === 'EPIPE' ? EXIT_SIGPIPE : 1);
    setTimeout(quit, 2000);
    host.close().then(quit, quit);
  };
  process.stdout.on('error', onStdoutError);
  try {
    await host.runFile(file);
    if (stdoutGone) return new Promise<never>(() => undefined); // onStdoutError exits
    return 0;
  } catch (e) {
    if (stdoutGone) return new Promise<never>(() => undefined); // onStdoutError exits
    if (e instanceof ScriptFailure) {
      process.stderr.write(e.message.replace(/\n?$/, '\n'));
      return interrupts ? 130 : 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    if (!stdoutGone) await host.close();
  }
}

export function registerRun(program: Command): void {
  addProbeOptions(program
    .command('run')
    .description('run a script (.ts, .js, .py) against the target')
    .argument('<script>', 'script file: TypeScript/JavaScript (global `target`) or MicroPython (import target)')
    .argument('[args...]', 'passed to JavaScript scripts as the global `args`')
    .option('-t, --target <spec>', TARGET_HELP)
    .option('--load <elf>', 'write this firmware through the debug port first and stop at its reset vector'))
    .action(async (file: string, args: string[], opts: OpenScriptOptions) => {
      await runAction(() => runCommand(file, args, opts));
      exitWhenFlushed(process.exitCode ?? 0);
    });
}
