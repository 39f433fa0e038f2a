// `tsprobe hid-bridge`: how to let tools that only speak USB HID (Debian's OpenOCD 0.12,
// pyOCD 0.13 with python3-hid) use tsprobe's CMSIS-DAP device. The bridge is a small C
// library in native/ with the hidapi API; loaded with LD_PRELOAD it presents the TCP
// server of `tsprobe dap` as one HID device ("tsprobe CMSIS-DAP", 1209:0001).
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEFAULT_DAP_TCP_PORT } from '../../dap/tcp-framing.js';
import { UserError, runAction } from '../errors.js';

/** native/ of this installation (the command runs from dist/src/cli/commands). */
export const NATIVE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../native');
export const BRIDGE_VID_PID = '1209:0001';
const LIB_NAME = 'libtsprobe-hidapi.so';

/** Where the library is built: native/build, or a user cache when the installation is read-only. */
export function bridgeBuildDir(): string {
  try {
    accessSync(NATIVE_DIR, constants.W_OK);
    return join(NATIVE_DIR, 'build');
  } catch {
    return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tsprobe', 'native');
  }
}

export function bridgeLibrary(): string {
  return join(bridgeBuildDir(), LIB_NAME);
}

/** Build the bridge with the machine's C compiler if it is missing or older than its source. */
export function buildBridge(force = false): string {
  const src = join(NATIVE_DIR, 'tsprobe-hidapi.c');
  const lib = bridgeLibrary();
  if (!existsSync(src)) throw new UserError(`the hidapi bridge source is missing (${src}); reinstall tsprobe`);
  if (!force && existsSync(lib) && statSync(lib).mtimeMs >= statSync(src).mtimeMs) return lib;
  const r = spawnSync('make', ['-C', NATIVE_DIR, `BUILD=${bridgeBuildDir()}`], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new UserError(`cannot build the hidapi bridge: ${r.error.message} (it needs make and a C compiler such as gcc)`);
  if (r.status !== 0) throw new UserError(`building the hidapi bridge failed (make -C ${NATIVE_DIR}):\n${r.stdout}${r.stderr}`);
  return lib;
}

export interface HidBridgeOptions {
  printEnv?: boolean;
  addr: string;
  build?: boolean;
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function hidBridgeCommand(opts: HidBridgeOptions): Promise<number> {
  if (!/^(\[[^\]]+\]|[^:]*):\d+$|^\d+$/.test(opts.addr)) throw new UserError(`--addr ${opts.addr}: use host:port or a port number`);
  const lib = buildBridge(opts.build === true);
  if (opts.printEnv) {
    process.stdout.write(`export LD_PRELOAD=${shellQuote(lib)}\nexport TSPROBE_DAP_ADDR=${shellQuote(opts.addr)}\n`);
    return 0;
  }
  process.stdout.write(
    [
      `hidapi bridge: ${lib}`,
      `It presents the CMSIS-DAP device of \`tsprobe dap\` at ${opts.addr} as a USB HID device`,
      `"tsprobe CMSIS-DAP" (VID:PID ${BRIDGE_VID_PID}) to programs that use hidapi.`,
      '',
      '  tsprobe dap --target sim:mps2-an385 --packet-size 64 &',
      '  eval "$(tsprobe hid-bridge --print-env)"',
      '  openocd -c "adapter driver cmsis-dap; cmsis_dap_backend hid; transport select swd" ...',
      '  PYOCD_USB_BACKEND=hidapiusb pyocd-tool list',
      '',
      'Environment read by the bridge: TSPROBE_DAP_ADDR (host:port), TSPROBE_HID_SERIAL,',
      'TSPROBE_HID_VID / TSPROBE_HID_PID, TSPROBE_HID_REPORT (report size), TSPROBE_HID_DEBUG=1.',
      '',
    ].join('\n'),
  );
  return 0;
}

export function registerHidBridge(program: Command): void {
  program
    .command('hid-bridge')
    .description('let hidapi programs (OpenOCD 0.12, pyOCD 0.13) use `tsprobe dap` as a USB CMSIS-DAP probe (LD_PRELOAD bridge)')
    .option('--print-env', 'print the environment to set, as shell export lines (use with eval)')
    .option('--addr <host:port>', 'where `tsprobe dap` listens', `127.0.0.1:${DEFAULT_DAP_TCP_PORT}`)
    .option('--build', 'rebuild the bridge library (make -C native) even if it is up to date')
    .action(async (opts: HidBridgeOptions) => {
      await runAction(() => hidBridgeCommand(opts));
    });
}
