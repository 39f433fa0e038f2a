// `tsprobe dap`: serve a target as a CMSIS-DAP device over TCP, in the framing of upstream
// OpenOCD's `cmsis-dap backend tcp` (newer OpenOCD connects directly; Debian's OpenOCD
// 0.12 and pyOCD 0.13 connect through the hidapi bridge, see `tsprobe hid-bridge`).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseElf } from '../../image/elf.js';
import { ProbeSession } from '../../probe/session.js';
import { openTargetFor, TARGET_HELP } from '../../probe/cli-options.js';
import { serveDap } from '../../dap/serve.js';
import type { DapTcpServer } from '../../dap/tcp-server.js';
import type { DapWireLevel } from '../../dap/session-device.js';
import { DEFAULT_DAP_TCP_PORT } from '../../dap/tcp-framing.js';
import { UserError, describeFsError, runAction } from '../errors.js';
import { StopSignals } from '../signals.js';
import { exitWhenFlushed } from '../exit.js';

export interface DapCommandOptions {
  target?: string;
  probe?: string;
  frequency?: string;
  port: string;
  host: string;
  packetSize: string;
  firmware?: string;
  serial?: string;
  quiet?: boolean;
  wire: string;
}

/** Smaller slices than `tsprobe sim`: a running target must not hold up DAP packets for long. */
const DAP_SLICE_CYCLES = 1 << 16;

export async function dapCommand(opts: DapCommandOptions): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${opts.port}: not a TCP port number`);
  const packetSize = Number(opts.packetSize);
  if (!Number.isInteger(packetSize) || packetSize < 64 || packetSize > 65535) {
    throw new UserError(`--packet-size ${opts.packetSize}: use 64 (v1, HID-style) or 512 and up to 65535 (v2)`);
  }
  if (opts.wire !== 'register' && opts.wire !== 'bit') throw new UserError(`--wire ${opts.wire}: use register or bit`);
  // From here on a signal asks for a clean stop, however far start-up got.
  // The handlers stay until the process exits: removed, a late signal would kill it mid-exit.
  const signals = new StopSignals((m) => process.stderr.write(`tsprobe: ${m}\n`));
  return serveDapCommand(opts, port, packetSize, signals);
}

async function serveDapCommand(opts: DapCommandOptions, port: number, packetSize: number, signals: StopSignals): Promise<number> {
  const session: ProbeSession = await openTargetFor(
    opts,
    { machine: { sliceCycles: DAP_SLICE_CYCLES, inputOpen: () => true }, log: (m) => process.stderr.write(`tsprobe: ${m}\n`) },
    (m) => new UserError(m),
  );
  // Proxy mode (a real probe behind): the firmware and the bit-level wire are the simulator's.
  if (!session.simulated && (opts.firmware || opts.wire === 'bit')) {
    await session.close();
    throw new UserError(`${opts.firmware ? '--firmware' : '--wire bit'} needs a simulated target; ${session.description} is a real probe (load firmware with tsprobe gdb --load or tsprobe flash)`);
  }
  if (opts.firmware) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(opts.firmware));
    } catch (e) {
      await session.close();
      throw new UserError(`cannot read firmware '${opts.firmware}': ${describeFsError(e)}`);
    }
    session.board.load(parseElf(bytes, opts.firmware));
    session.board.reset();
    session.wake();
  }
  const log = (line: string) => {
    if (!opts.quiet) process.stderr.write(`${line}\n`);
  };
  const config = { packetSize, flavour: packetSize <= 64 ? ('v1' as const) : ('v2' as const), ...(opts.serial ? { serialNumber: opts.serial } : {}) };
  let server: DapTcpServer;
  let bound: number;
  try {
    ({ server, port: bound } = await serveDap(session, { port, host: opts.host, config, log, wireLevel: opts.wire as DapWireLevel }));
  } catch (e) {
    await session.close();
    throw new UserError(`cannot listen on ${opts.host}:${port}: ${(e as Error).message}`);
  }
  // The bound address on stdout, one line, so scripts and tests can read the port.
  process.stdout.write(`CMSIS-DAP device for ${session.description} listening on ${opts.host}:${bound} (packet size ${packetSize})\n`);
  log(`OpenOCD 0.12 / pyOCD 0.13 (USB HID only): eval "$(tsprobe hid-bridge --print-env --addr ${opts.host}:${bound})"`);
  await signals.stopped;
  await server.close();
  await session.close();
  return 0;
}

export function registerDap(program: Command): void {
  program
    .command('dap')
    .description('serve a target as a CMSIS-DAP device over TCP (OpenOCD "cmsis-dap backend tcp" framing)')
    .option('-t, --target <spec>', TARGET_HELP)
    .option('--probe <probe>', 're-export this CMSIS-DAP probe (tcp://HOST:PORT, usb:VID:PID[:SERIAL], SERIAL) over TCP: proxy mode')
    .option('--frequency <hz>', 'SWD clock of the real probe, e.g. 4M, 500k')
    .option('-p, --port <n>', 'TCP port (0: any free port)', String(DEFAULT_DAP_TCP_PORT))
    .option('--host <addr>', 'address to listen on (anything but loopback exposes the probe)', '127.0.0.1')
    .option('--packet-size <n>', 'CMSIS-DAP packet size: 64 (v1, HID-style reports) or 512+ (v2); default 1024, the largest OpenOCD 0.12 handles (it puts more than 255 transfers in one DAP_Transfer beyond that)', '1024')
    .option('--firmware <elf>', 'load this ELF into the simulated board before serving')
    .option('--serial <text>', 'serial number reported by DAP_Info')
    .option('--wire <level>', 'register: transfers at register level (fast); bit: every SWD packet clocked bit by bit through the simulated pins', 'register')
    .option('-q, --quiet', 'no log lines on stderr')
    .addHelpText('after', '\nOne host at a time; a second connection is closed with a log line. Stop with Ctrl-C.\n' +
      'For Debian\'s OpenOCD 0.12 / pyOCD 0.13 (USB HID only), see `tsprobe hid-bridge --print-env`.')
    .action(async (opts: DapCommandOptions) => {
      await runAction(() => dapCommand(opts));
      exitWhenFlushed(process.exitCode ?? 0);
    });
}
