// The "target running" LED (DAP_HostStatus type 1): the CMSIS-DAP host wire turns it on
// when the core is resumed and off once it is seen halted, as probes with LEDs show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLoopProgram } from '../../dap/harness.js';
import { ProbeSession } from '../../../src/probe/session.js';
import { DapTcpServer } from '../../../src/dap/tcp-server.js';
import { sessionDapAttach } from '../../../src/dap/session-device.js';
import type { DapProcessor } from '../../../src/dap/processor.js';
import { CmsisDapWire, TcpDapTransport } from '../../../src/wire/cmsis-dap/index.js';
import { connectCortexM } from '../../../src/cortexm/connect.js';

test('running LED follows resume and halt (and goes off when the host leaves)', async () => {
  const session = ProbeSession.open('sim:mps2-an385', { machine: { sliceCycles: 1 << 16, inputOpen: () => true } });
  await loadLoopProgram(session);
  let processor: DapProcessor | undefined;
  const attach = sessionDapAttach(session, { packetSize: 1024 });
  const server = new DapTcpServer({
    attach: (owner) => {
      const a = attach(owner);
      processor = a.processor;
      return a;
    },
  });
  const port = await server.listen(0);
  try {
    const wire = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', port));
    const conn = await connectCortexM(wire);
    const led = () => processor!.state.ledRunning;
    await conn.core.halt();
    assert.equal(led(), false, 'halted');
    await conn.core.resume();
    assert.equal(led(), true, 'resumed');
    assert.equal(await conn.core.isHalted(), false);
    assert.equal(led(), true, 'still running');
    await conn.core.halt();
    assert.equal(led(), false, 'halted again');
    await conn.core.step();
    assert.equal(led(), false, 'a step leaves it off');
    await conn.core.resume();
    assert.equal(led(), true);
    await wire.close();
    assert.equal(led(), false, 'off when the host leaves');
  } finally {
    await server.close();
    await session.close();
  }
});
