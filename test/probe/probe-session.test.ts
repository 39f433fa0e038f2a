// A session on a real probe: no board, arbitration as for the simulator, close says goodbye.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeSession, ProbeBusyError, NotSimulatedError } from '../../src/probe/session.js';
import { startDapServer } from '../dap/harness.js';
import { openProbeWire } from '../../src/probe/open-target.js';
import { connectCortexM } from '../../src/cortexm/connect.js';

test('ProbeSession.onWire: the board is absent with a clear error, the wire is arbitrated, close disconnects', async () => {
  const srv = await startDapServer();
  try {
    const wire = await openProbeWire({ kind: 'tcp', host: '127.0.0.1', port: srv.port });
    const s = ProbeSession.onWire(wire);
    assert.equal(s.simulated, false);
    assert.equal(s.simBoard, undefined);
    assert.equal(s.description, `cmsis-dap:tcp://127.0.0.1:${srv.port}`);
    assert.throws(() => s.board, (e: Error) => e instanceof NotSimulatedError && /only for simulated targets; this session is on the probe cmsis-dap:tcp/.test(e.message));
    assert.throws(() => s.machine, NotSimulatedError);
    assert.throws(() => s.simWire, NotSimulatedError);
    s.wake(); // nothing to wake: the real chip runs by itself

    const conn = await connectCortexM(s.wireFor('gdb'));
    assert.ok(conn.core.coreName.startsWith('Cortex-M'));
    s.acquireExclusive('dap host');
    await assert.rejects(s.wireFor('cli').transfer([{ ap: false, read: true, addr: 0 }]), ProbeBusyError);
    s.release('dap host');
    assert.equal((await s.wireFor('cli').transfer([{ ap: false, read: true, addr: 0 }])).ack, 'ok');

    await s.close();
    // The server saw DAP_Disconnect and let the host go: a new host is served at once.
    const again = await openProbeWire({ kind: 'tcp', host: '127.0.0.1', port: srv.port });
    await again.close();
    await assert.rejects(wire.transfer([{ ap: false, read: true, addr: 0 }]), /closed/);
  } finally {
    await srv.close();
  }
});
