// `tsprobe gdb --target sim:mps2-an385 [--port 3333] [--host 127.0.0.1] [--load fw.elf]`:
// a GDB server on a target. For a simulated target the board runs in this process (the
// probe session's background run loop) and the server reaches it only through the
// debug wire, exactly as it would reach a real chip through a probe.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ProbeSession } from '../../probe/session.js';
import { addProbeOptions, openTargetFor, TARGET_HELP } from '../../probe/cli-options.js';
import { parseImage, ImageError } from '../../image/image.js';
import { connectCortexM } from '../../cortexm/connect.js';
import { AdiError } from '../../adi/errors.js';
import { CortexMError } from '../../cortexm/cortex-m.js';
import { createGdbTarget } from '../../gdb/cortexm-target.js';
import { FlashError } from '../../targets/flash.js';
import { loadImage } from '../../targets/load-image.js';
import { GdbServer, DEFAULT_GDB_PORT } from '../../gdb/server.js';
import { UserError, runAction, describeFsError } from '../errors.js';
import { StopSignals } from '../signals.js';
import { exitWhenFlushed } from '../exit.js';

export interface GdbCommandOptions {
  target?: string;
  probe?: string;
  frequency?: string;
  port: string;
  host: string;
  load?: string;
  debug?: boolean;
  semihosting: boolean;
  packetSize?: string;
}

const VERSION = 'tsprobe 0.1.0 GDB server';

export async function gdbCommand(opts: GdbCommandOptions): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${opts.port}: expected a TCP port number (0-65535; 0 picks a free one)`);
  const packetSize = opts.packetSize === undefined ? undefined : Number(opts.packetSize);
  if (packetSize !== undefined && (!Number.isInteger(packetSize) || packetSize < 0x100 || packetSize > 0x100000)) {
    throw new UserError(`--packet-size ${opts.packetSize}: expected a number of bytes from 256 to 1048576`);
  }
  // From here on a signal asks for a clean stop, however far start-up got.
  // The handlers stay until the process exits: removed, a late signal would kill it mid-exit.
  const signals = new StopSignals((m) => process.stderr.write(`tsprobe: ${m}\n`));
  return serveGdb(opts, port, packetSize, signals);
}

async function serveGdb(opts: GdbCommandOptions, port: number, packetSize: number | undefined, signals: StopSignals): Promise<number> {
  // A debugger can always wake a sleeping core: the run loop never ends for idleness.
  const session: ProbeSession = await openTargetFor(
    opts,
    { machine: { inputOpen: () => true }, log: (m) => process.stderr.write(`tsprobe: ${m}\n`) },
    (m) => new UserError(m),
  );
  // undefined on a real probe: the chip is on the user's desk.
  const board = session.simBoard;
  // The probe serves semihosting (BKPT 0xAB halts the core), as with real hardware.
  if (board && opts.semihosting) board.semihostingEnabled = false;
  // The board's console UART goes to our stdout, as with `qemu -nographic`.
  const uart = board?.uarts[0];
  if (uart) uart.output = (b) => process.stdout.write(Uint8Array.of(b));

  let server: GdbServer | null = null;
  try {
    const describeAddress = (addr: number) => {
      if (!board) return `on the target behind ${session.description}`;
      const e = board.memoryMap.find((m) => addr >= m.base && addr - m.base < m.size);
      return e ? `it is in ${e.name} on ${board.name}` : `no memory is mapped there on ${board.name}`;
    };
    const conn = await connectCortexM(session.wireFor('gdb'), { describeAddress });
    if (opts.load) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(opts.load));
      } catch (e) {
        throw new UserError(`cannot read ${opts.load}: ${describeFsError(e)}`);
      }
      // Like gdb's `load`: the file bytes of each PT_LOAD segment at its LMA; flash
      // through the chip's flash driver, RAM through the debug port.
      const { segments } = parseImage(bytes, opts.load, { format: 'elf' });
      try {
        const r = await loadImage(conn, segments);
        process.stderr.write(`tsprobe: loaded ${opts.load} into ${r.info.chip}: ${r.programmedBytes} bytes of flash programmed (${r.erasedBytes} erased), ${r.verifiedBytes} bytes verified\n`);
      } catch (e) {
        if (e instanceof FlashError || e instanceof ImageError) throw new UserError(`--load ${opts.load}: ${e.message}`);
        throw e;
      }
    }
    const log = (m: string) => process.stderr.write(`tsprobe: ${m}\n`);
    if (signals.received) {
      log(`${signals.received} before the server started: stopping`);
      return 0;
    }
    const { target, info } = await createGdbTarget(conn, { where: session.description, semihosting: opts.semihosting, log, traceClockHz: session.simBoard?.clock.hz });
    log(`target: ${info.description}`);
    server = new GdbServer(target, {
      host: opts.host,
      port,
      packetSize,
      version: VERSION,
      trace: opts.debug,
      log: (m) => process.stderr.write(`tsprobe: ${m}\n`),
    });
    let addr: { host: string; port: number };
    try {
      addr = await server.listen();
    } catch (e) {
      throw new UserError(`cannot listen on ${opts.host}:${port}: ${(e as Error).message}`);
    }
    process.stderr.write(`tsprobe: gdb server for ${target.description} listening on ${addr.host}:${addr.port}\n`);
    if (!['127.0.0.1', '::1', 'localhost'].includes(opts.host)) {
      process.stderr.write(`tsprobe: warning: --host ${opts.host} lets other machines control the target; the gdb protocol has no authentication\n`);
    }
    process.stderr.write(`tsprobe: connect with: gdb-multiarch -ex 'target extended-remote ${addr.host}:${addr.port}' firmware.elf\n`);
    await signals.stopped;
    const unsupported = [...server.unsupported];
    if (unsupported.length) process.stderr.write(`tsprobe: packets answered as unsupported: ${unsupported.join(' ')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof AdiError || e instanceof CortexMError) throw new UserError(e.message);
    throw e;
  } finally {
    await server?.close();
    await session.close();
  }
}

export function registerGdb(program: Command): void {
  addProbeOptions(program
    .command('gdb')
    .description('GDB remote serial protocol server (gdb: target extended-remote HOST:PORT)')
    .option('-t, --target <spec>', TARGET_HELP)
    .option('-p, --port <port>', 'TCP port (0: any free port)', String(DEFAULT_GDB_PORT))
    .option('--host <address>', 'address to listen on (anything but 127.0.0.1 exposes the target to the network)', '127.0.0.1')
    .option('--load <elf>', 'write this firmware through the debug port before serving, and stop at its reset vector')
    .option('--no-semihosting', 'do not serve semihosting calls (BKPT 0xAB then stops like any breakpoint)')
    .option('--packet-size <bytes>', 'largest packet gdb may send (PacketSize); default 131072')
    .option('--debug', 'log every packet to stderr'))
    .action(async (opts: GdbCommandOptions) => {
      await runAction(() => gdbCommand(opts));
      exitWhenFlushed(process.exitCode ?? 0);
    });
}
