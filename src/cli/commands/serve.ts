// `tsprobe serve`: the probe as a whole, as the old probe was after power-up. Opens the
// configured target, starts the gdb server and the CMSIS-DAP TCP server, runs boot and
// main (.ts, .js or .py) from the configuration directory, then offers the JavaScript
// REPL (or --python) on the console while the servers run. Without a terminal it
// serves until SIGINT/SIGTERM. In gdb, `monitor python <expr>` and `monitor js <expr>`
// evaluate in this probe's script contexts.
import type { Command } from 'commander';
import { configDir, loadConfig, startupScripts, historyFile, ConfigError } from '../../config/config.js';
import { ScriptFailure } from '../../script/js-runner.js';
import { ScriptError } from '../../script/target.js';
import { UserError, runAction } from '../errors.js';
import { openScriptHost } from './run.js';
import { jsRepl, pythonRepl } from './repl.js';

interface ServeOptions {
  dir?: string;
  target?: string;
  probe?: string;
  frequency?: string;
  load?: string;
  gdbPort?: string;
  dapPort?: string;
  scripts: boolean;
  repl?: boolean;
  python?: boolean;
}

function port(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`${what} ${text}: expected a TCP port number (0-65535; 0 picks a free one)`);
  return n;
}

export async function serveCommand(opts: ServeOptions): Promise<number> {
  const dir = opts.dir ?? configDir();
  let cfg;
  try {
    cfg = loadConfig(dir);
  } catch (e) {
    if (e instanceof ConfigError) throw new UserError(e.message);
    throw e;
  }
  const gdbPort = port(opts.gdbPort, cfg.gdbPort, '--gdb-port');
  const dapPort = port(opts.dapPort, cfg.dapPort, '--dap-port');
  // --probe replaces the configured target (an explicit --target with it is an error).
  const host = await openScriptHost({ target: opts.probe ? opts.target : (opts.target ?? cfg.target), probe: opts.probe, frequency: opts.frequency, load: opts.load });
  const log = (m: string) => process.stderr.write(`tsprobe: ${m}\n`);
  host.ctx.log = log;
  host.ctx.dapConfig = { vendor: cfg.probe.vendor, product: cfg.probe.product, serialNumber: cfg.probe.serialNumber };
  const uart = host.target.session.simBoard?.uarts[0];
  if (uart) uart.output = (b) => process.stdout.write(Uint8Array.of(b));
  try {
    try {
      await host.ctx.startGdb(gdbPort, cfg.host);
      await host.ctx.startDap(dapPort, cfg.host);
    } catch (e) {
      if (e instanceof ScriptError) throw new UserError(e.message);
      throw e;
    }
    if (opts.scripts) {
      for (const file of startupScripts(dir)) {
        log(`running ${file}`);
        try {
          await host.runFile(file);
        } catch (e) {
          // A broken startup script must not take the probe down (the old probe kept its REPL too).
          if (e instanceof ScriptFailure) log(`${file} failed:\n${e.message}`);
          else throw e;
        }
      }
    }
    const interactive = opts.repl ?? process.stdin.isTTY === true;
    if (interactive) {
      if (opts.python) await pythonRepl(host);
      else await jsRepl(host, { input: process.stdin, output: process.stdout, history: historyFile('js', dir) });
    } else {
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return 0;
  } finally {
    await host.close();
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the probe: gdb server + CMSIS-DAP server + startup scripts (boot/main) + REPL on the console')
    .option('--dir <path>', 'configuration directory (default $TSPROBE_HOME or ~/.config/tsprobe)')
    .option('-t, --target <spec>', 'target (default: from config.json)')
    .option('--probe <probe>', 'a CMSIS-DAP probe instead: tcp://HOST:PORT, usb:VID:PID[:SERIAL] or a serial number')
    .option('--frequency <hz>', 'SWD clock of a real probe, e.g. 4M, 500k')
    .option('--load <elf>', 'write this firmware through the debug port first and stop at its reset vector')
    .option('--gdb-port <port>', 'gdb server port (default: from config.json, 3333)')
    .option('--dap-port <port>', 'CMSIS-DAP TCP port (default: from config.json, 4441)')
    .option('--no-scripts', 'do not run boot and main')
    .option('--repl', 'offer the REPL even when the console is not a terminal')
    .option('--no-repl', 'no REPL: serve until SIGINT/SIGTERM')
    .option('--python', "offer MicroPython's REPL instead of JavaScript's")
    .action(async (opts: ServeOptions) => {
      await runAction(() => serveCommand(opts));
      process.exit(process.exitCode ?? 0);
    });
}
