// `tsprobe list [tcp://HOST:PORT ...]`: every CMSIS-DAP probe tsprobe can see: USB HID (v1)
// and USB bulk (v2) probes where the optional packages are installed, and the TCP ones
// named on the command line, each with vendor, product, serial and CMSIS-DAP version
// (asked with DAP_Info only: the probe is not connected to its target).
import type { Command } from 'commander';
import { scanUsbProbes, type UsbProbe } from '../../probe/usb-probes.js';
import { describeUsbProbe } from '../../probe/open-target.js';
import { parseProbeSpec, ProbeSpecError } from '../../probe/probe-spec.js';
import { readProbeInfo, type DapProbeInfo } from '../../wire/cmsis-dap/probe-info.js';
import { TcpDapTransport } from '../../wire/cmsis-dap/tcp-transport.js';
import type { DapTransport } from '../../wire/cmsis-dap/transport.js';
import { boardNames } from '../../sim/boards/index.js';
import { UserError, runAction } from '../errors.js';
import { exitWhenFlushed } from '../exit.js';

/** DAP_Info of a probe through an open transport, then closed. */
async function askInfo(open: () => Promise<DapTransport>): Promise<DapProbeInfo> {
  const t = await open();
  try {
    return await readProbeInfo(async (req) => {
      await t.send(req);
      return t.receive(2000);
    });
  } finally {
    await t.close().catch(() => undefined);
  }
}

function line(id: string, name: string, info: DapProbeInfo | Error): string {
  if (info instanceof Error) return `  ${id}  ${name}  (cannot ask it: ${info.message})`;
  const serial = info.serial ? `, serial ${info.serial}` : '';
  return `  ${id}  ${name || [info.vendor, info.product].filter(Boolean).join(' ')}  CMSIS-DAP ${info.protocolVersion || '?'}${serial}, packets ${info.packetCount} x ${info.packetSize} bytes`;
}

export async function listCommand(addresses: string[], write: (l: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const tcp = addresses.map((a) => {
    try {
      const s = parseProbeSpec(a);
      if (s.kind !== 'tcp') throw new ProbeSpecError(`${a}: only tcp://HOST:PORT addresses are given to tsprobe list (USB probes are found by themselves)`);
      return s;
    } catch (e) {
      throw new UserError((e as Error).message);
    }
  });
  const { probes, notes } = await scanUsbProbes();
  let found = 0;
  for (const p of probes as UsbProbe[]) {
    const info = await askInfo(() => p.open()).catch((e: Error) => e);
    write(line(`usb:${p.vendorId.toString(16).padStart(4, '0')}:${p.productId.toString(16).padStart(4, '0')}${p.serial ? ':' + p.serial : ''}`, describeUsbProbe(p).replace(/^\S+ /, ''), info));
    found++;
  }
  for (const s of tcp) {
    const info = await askInfo(() => TcpDapTransport.open(s.host, s.port, 3000)).catch((e: Error) => e);
    write(line(`tcp://${s.host}:${s.port}`, '', info));
    found++;
  }
  if (found === 0) {
    write('no CMSIS-DAP probes found.');
    write('  a probe on the network: tsprobe list tcp://HOST:PORT, then --probe tcp://HOST:PORT');
    write(`  simulated boards need no probe: --target sim:<board> (${boardNames().join(', ')})`);
  }
  for (const n of notes) write(`note: ${n}`);
  if (probes.length === 0 && process.platform === 'linux' && notes.length < 2) {
    write('note: a USB probe that is plugged in but not listed may lack permissions: install udev/50-tsprobe-cmsis-dap.rules (see README, "Real hardware")');
  }
  return 0;
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the CMSIS-DAP probes tsprobe can see (USB HID v1, USB bulk v2, and TCP addresses given)')
    .argument('[addresses...]', 'CMSIS-DAP TCP servers to ask too: tcp://HOST:PORT')
    .action(async (addresses: string[]) => {
      await runAction(() => listCommand(addresses));
      exitWhenFlushed(process.exitCode ?? 0);
    });
}
