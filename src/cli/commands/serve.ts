// `tsprobe serve`: the probe as a whole, as the old probe was after power-up. Opens the
// configured target, starts the gdb server and the CMSIS-DAP TCP server, prints a short
// banner (how to connect), optionally puts a firmware image on the target and starts it
// (--firmware; `npm start` runs the STM32H743 demo this way), runs boot and main (.ts,
// .js or .py) from the configuration directory, then offers the JavaScript REPL (or
// --python) on the console while the servers run, or with --console uart makes the
// terminal the board's UART. Without a terminal it serves until SIGINT/SIGTERM. In gdb,
// `monitor python <expr>` and `monitor js <expr>` evaluate in this probe's script
// contexts. A simulated board runs paced to the wall clock unless --no-realtime.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { configDir, loadConfig, startupScripts, historyFile, ConfigError } from '../../config/config.js';
import { ScriptFailure } from '../../script/js-runner.js';
import { ScriptError, Target } from '../../script/target.js';
import { ScriptHost } from '../../script/script-host.js';
import { ProbeContext } from '../../script/probe-context.js';
import { openTarget, ProbeOpenError } from '../../probe/open-target.js';
import { TargetSpecError } from '../../probe/target-spec.js';
import type { ProbeSession } from '../../probe/session.js';
import { AdiError } from '../../adi/errors.js';
import { CortexMError } from '../../cortexm/cortex-m.js';
import { parseElf } from '../../image/elf.js';
import { UserError, runAction, describeFsError } from '../errors.js';
import { jsRepl, pythonRepl } from './repl.js';
import { exitWhenFlushed } from '../exit.js';

interface ServeOptions {
  dir?: string;
  target?: string;
  probe?: string;
  frequency?: string;
  load?: string;
  firmware?: string;
  realtime: boolean;
  console?: string;
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

const isUserFixable = (e: unknown) =>
  e instanceof TargetSpecError || e instanceof ProbeOpenError || e instanceof ScriptError || e instanceof AdiError || e instanceof CortexMError;

/** The target and the script host on it; a simulated board's run loop paced as asked. */
async function openHost(sel: { target?: string; probe?: string; frequency?: string }, load: string | undefined, realtime: boolean): Promise<ScriptHost> {
  let session: ProbeSession;
  try {
    session = await openTarget(sel, { machine: { realtime, inputOpen: () => true } });
  } catch (e) {
    if (isUserFixable(e)) throw new UserError((e as Error).message);
    throw e;
  }
  try {
    return new ScriptHost(new ProbeContext(await Target.attach(session, { load, ownsSession: true })));
  } catch (e) {
    await session.close();
    if (isUserFixable(e)) throw new UserError((e as Error).message);
    throw e;
  }
}

/**
 * Program `file` into the target's flash with tsprobe's flash driver (the same path as
 * `tsprobe flash` and gdb's `load`, on a simulated chip as on a real one), then start it
 * with a reset through the debug port, as after programming a real chip.
 */
async function startFirmware(target: Target, file: string, log: (m: string) => void): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UserError(`cannot read firmware '${file}': ${describeFsError(e)}`);
  }
  const isElf = bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
  const image = isElf ? parseElf(bytes, file) : undefined; // symbols for scripts
  try {
    const r = await target.flashImage(file);
    log(`${file}: ${r.programmedBytes} bytes programmed (${r.erasedBytes / 1024} KiB erased)`);
    if (image) target.image = image;
    await target.reset();
  } catch (e) {
    if (isUserFixable(e)) throw new UserError(`--firmware ${file}: ${(e as Error).message}`);
    throw e;
  }
}

/** Starting a server failed: say which port and what to do when it is taken. */
function serverError(e: unknown, option: string, port: number): never {
  if (!(e instanceof ScriptError)) throw e;
  if (/EADDRINUSE/.test(e.message)) {
    throw new UserError(`port ${port} is in use (another tsprobe, OpenOCD or gdbserver?); stop it, or choose another port with ${option} N (0 picks a free one)`);
  }
  throw new UserError(e.message);
}

export interface BannerInfo {
  target: string;
  firmware?: string;
  host: string;
  gdbPort: number;
  dapPort: number;
  uart?: string;
  console: 'uart' | 'repl' | 'python' | 'none';
}

/** The lines `serve` prints once its servers listen: what runs and how to reach it. */
export function banner(b: BannerInfo): string {
  const quote = (s: string) => (/^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const gdb = ['gdb-multiarch', ...(b.firmware ? [quote(b.firmware)] : []), '-ex', quote(`target extended-remote ${b.host}:${b.gdbPort}`)].join(' ');
  const lines = [
    `tsprobe: ${b.target}${b.firmware ? ` running ${b.firmware}` : ''}`,
    `  gdb:       ${gdb}`,
    `  CMSIS-DAP: ${b.host}:${b.dapPort} over TCP (OpenOCD: adapter driver cmsis-dap; cmsis-dap backend tcp; cmsis-dap tcp port ${b.dapPort})`,
  ];
  if (b.uart) {
    lines.push(
      b.console === 'uart' ? `  console:   ${b.uart} of the board, here: its output below, and each line you type is sent to it`
      : `  console:   ${b.uart} output below`,
    );
  }
  if (b.console === 'repl' || b.console === 'python') lines.push(`  ${b.console === 'python' ? 'MicroPython' : 'JavaScript'} REPL with \`target\` below; quit with Ctrl-D or .exit`);
  else lines.push('  quit:      Ctrl-C');
  return lines.join('\n') + '\n';
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
  if (opts.firmware !== undefined && opts.load !== undefined) throw new UserError('--firmware and --load both put an image on the target: give one');
  if (opts.console !== undefined && !['uart', 'repl', 'none'].includes(opts.console)) throw new UserError(`--console ${opts.console}: expected uart, repl or none`);
  // --probe replaces the configured target (an explicit --target with it is an error).
  const host = await openHost({ target: opts.probe ? opts.target : (opts.target ?? cfg.target), probe: opts.probe, frequency: opts.frequency }, opts.load, opts.realtime);
  const log = (m: string) => process.stderr.write(`tsprobe: ${m}\n`);
  host.ctx.log = log;
  host.ctx.dapConfig = { vendor: cfg.probe.vendor, product: cfg.probe.product, serialNumber: cfg.probe.serialNumber };
  const session = host.target.session;
  const uart = session.simBoard?.uarts[0];
  if (uart) uart.output = (b) => process.stdout.write(Uint8Array.of(b));
  const consoleMode = opts.console === 'uart' ? 'uart'
    : opts.console === 'none' || opts.repl === false || (opts.repl === undefined && process.stdin.isTTY !== true) ? 'none'
    : opts.python ? 'python' : 'repl';
  try {
    let boundGdb: number, boundDap: number;
    try {
      boundGdb = await host.ctx.startGdb(gdbPort, cfg.host);
    } catch (e) {
      serverError(e, '--gdb-port', gdbPort);
    }
    try {
      boundDap = await host.ctx.startDap(dapPort, cfg.host);
    } catch (e) {
      serverError(e, '--dap-port', dapPort);
    }
    process.stderr.write(banner({ target: session.description, firmware: opts.firmware ?? opts.load, host: cfg.host, gdbPort: boundGdb, dapPort: boundDap, uart: uart ? uartName(session.description) : undefined, console: consoleMode }));
    if (opts.firmware !== undefined) await startFirmware(host.target, opts.firmware, log);
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
    if (consoleMode === 'python') await pythonRepl(host);
    else if (consoleMode === 'repl') await jsRepl(host, { input: process.stdin, output: process.stdout, history: historyFile('js', dir) });
    else {
      // Typed lines go to the board's UART (the terminal stays in line mode, so Ctrl-C quits).
      const forward = (d: Buffer) => {
        uart?.input(d);
        session.wake();
      };
      if (consoleMode === 'uart' && uart) process.stdin.on('data', forward);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stdin.off('data', forward);
      process.stdin.pause();
    }
    return 0;
  } finally {
    await host.close();
  }
}

/** The console UART's name on the board, for the banner. */
function uartName(target: string): string {
  return /stm32/.test(target) ? 'USART1' : 'UART0';
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
    .option('--firmware <file>', "program this image (ELF, HEX or bin) into the target's flash and start it")
    .option('--no-realtime', 'let a simulated board run as fast as it can (default: paced to the wall clock)')
    .option('--console <mode>', "what the terminal is: 'repl' (default on a terminal), 'uart' (the board's UART: output, and typed lines as input) or 'none'")
    .option('--gdb-port <port>', 'gdb server port (default: from config.json, 3333)')
    .option('--dap-port <port>', 'CMSIS-DAP TCP port (default: from config.json, 4441)')
    .option('--no-scripts', 'do not run boot and main')
    .option('--repl', 'offer the REPL even when the console is not a terminal')
    .option('--no-repl', 'no REPL: serve until SIGINT/SIGTERM')
    .option('--python', "offer MicroPython's REPL instead of JavaScript's")
    .action(async (opts: ServeOptions) => {
      await runAction(() => serveCommand(opts));
      exitWhenFlushed(process.exitCode ?? 0);
    });
}
