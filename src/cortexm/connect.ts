// From a wire to a Cortex-M: connect the SW-DP, power up, find the AHB-AP, walk the
// ROM table, and set up run control.
import type { DebugWire } from '../wire/debug-wire.js';
import { Dap } from '../adi/dap.js';
import { discoverAps, type ApInfo } from '../adi/discovery.js';
import { MemAccessPort, type MemApOptions } from '../adi/mem-ap.js';
import { AdiError } from '../adi/errors.js';
import { CortexM } from './cortex-m.js';

export interface Connection {
  dap: Dap;
  aps: ApInfo[];
  mem: MemAccessPort;
  core: CortexM;
}

export async function connectCortexM(wire: DebugWire, opts: MemApOptions & { haltTimeoutMs?: number } = {}): Promise<Connection> {
  const dap = new Dap(wire);
  await dap.connect();
  await dap.powerUp();
  const aps = await discoverAps(dap);
  const ahb = aps.find((a) => a.isMemAp);
  if (!ahb) throw new AdiError(`no MEM-AP found on ${wire.description} (APs: ${aps.map((a) => a.kind).join(', ') || 'none'})`);
  const mem = await new MemAccessPort(dap, ahb.apsel, opts).init();
  const core = await new CortexM(mem, { haltTimeoutMs: opts.haltTimeoutMs }).init();
  // The Cortex-M3/M4 AHB-AP increments TAR across 4 KiB (OpenOCD relies on it too): fewer TAR writes.
  if (/Cortex-M[34]$/.test(core.coreName)) mem.autoIncrementBlock = 0x1000;
  return { dap, aps, mem, core };
}
