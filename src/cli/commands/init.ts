// `tsprobe init`: the factory reset. Writes a fresh config.json (ports, target, probe
// identity strings) and the default boot.py and main.py into the configuration
// directory, moving what was there into a backup folder.
import type { Command } from 'commander';
import { configDir, initConfig, type ProbeConfig } from '../../config/config.js';
import { parseTargetSpec, TargetSpecError } from '../../probe/target-spec.js';
import { UserError, runAction } from '../errors.js';

function port(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`${what} ${text}: expected a TCP port number (0-65535)`);
  return n;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('factory reset: write a fresh configuration and startup scripts (boot.py, main.py), backing up the old ones')
    .option('--dir <path>', 'configuration directory (default $TSPROBE_HOME or ~/.config/tsprobe)')
    .option('-t, --target <spec>', 'target the probe serves')
    .option('--gdb-port <port>', 'gdb server port')
    .option('--dap-port <port>', 'CMSIS-DAP TCP port')
    .action(async (opts: { dir?: string; target?: string; gdbPort?: string; dapPort?: string }) => {
      await runAction(async () => {
        const over: Partial<ProbeConfig> = {};
        if (opts.target) {
          try {
            parseTargetSpec(opts.target);
          } catch (e) {
            if (e instanceof TargetSpecError) throw new UserError(e.message);
            throw e;
          }
          over.target = opts.target;
        }
        const g = port(opts.gdbPort, '--gdb-port');
        const d = port(opts.dapPort, '--dap-port');
        if (g !== undefined) over.gdbPort = g;
        if (d !== undefined) over.dapPort = d;
        let r;
        try {
          r = initConfig(opts.dir ?? configDir(), over);
        } catch (e) {
          throw new UserError(`cannot write the configuration in ${opts.dir ?? configDir()}: ${(e as Error).message}`);
        }
        process.stdout.write(`wrote ${r.written.join(', ')} in ${r.dir}\n`);
        if (r.backup) process.stdout.write(`the previous files are in ${r.backup}\n`);
      });
    });
}
