// Proxy mode with an independent host: Debian's OpenOCD 0.12 (through the hidapi bridge)
// drives tsprobe's CMSIS-DAP device whose wire is a CMSIS-DAP probe over TCP (here
// tsprobe's own device on a simulated board): OpenOCD -> proxy device -> CMSIS-DAP host
// wire -> TCP -> device -> simulated SW-DP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOOP_PC, openocdSkipReason, runOpenocd, startDapServer } from '../dap/harness.js';
import { ProbeSession } from '../../src/probe/session.js';
import { openProbeWire } from '../../src/probe/open-target.js';
import { serveDap } from '../../src/dap/serve.js';

const skip = openocdSkipReason();

const CFG = `
adapter driver cmsis-dap
cmsis_dap_backend hid
transport select swd
adapter speed 1000
swd newdap mps2 cpu -enable
dap create mps2.dap -chain-position mps2.cpu
target create mps2.cpu cortex_m -dap mps2.dap
gdb_port disabled
tcl_port disabled
telnet_port disabled
`;

test('OpenOCD through tsprobe dap --probe tcp:// (proxy mode): dap info, memory, halt, step, reset halt', { skip, timeout: 90_000 }, async () => {
  const upstream = await startDapServer();
  const wire = await openProbeWire({ kind: 'tcp', host: '127.0.0.1', port: upstream.port });
  const session = ProbeSession.onWire(wire);
  const logs: string[] = [];
  const { server, port } = await serveDap(session, { port: 0, config: { packetSize: 64 }, log: (l) => logs.push(l) });
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-proxy-openocd-'));
  try {
    writeFileSync(join(dir, 'p.cfg'), CFG);
    const cmds = [
      'dap info',
      'mww 0x20000000 0x12345678',
      'echo "MARK mdw [mdw 0x20000000 1]"',
      'halt',
      'echo "MARK pc0 [reg pc]"',
      'step',
      'echo "MARK pc1 [reg pc]"',
      'reset halt',
      'echo "MARK pc2 [reg pc]"',
    ];
    const out = await runOpenocd(port, dir, ['-f', join(dir, 'p.cfg')], cmds, `\n${logs.join('\n')}`);
    assert.match(out, /CMSIS-DAP: SWD supported/);
    assert.match(out, /Cortex-M3 r\dp\d processor detected/);
    assert.match(out, /Valid ROM table present/);
    assert.match(out, /MARK mdw 0x20000000: 12345678/);
    const pc = (name: string) => parseInt(/0x([0-9a-f]+)\s*$/i.exec(new RegExp(`MARK ${name} (.*)`).exec(out)?.[1] ?? '')?.[1] ?? 'x', 16);
    assert.ok([LOOP_PC, LOOP_PC + 2].includes(pc('pc0')), out);
    assert.notEqual(pc('pc1'), pc('pc0'), 'step moved the pc');
    assert.equal(pc('pc2'), LOOP_PC, 'reset halt stops at the reset vector');
    // It all crossed the host wire as CMSIS-DAP packets.
    assert.ok(wire.stats.packets > 20, `packets through the proxy's wire: ${wire.stats.packets}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
    await session.close();
    await upstream.close();
  }
});
