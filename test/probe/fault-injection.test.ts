// Faults on the TCP link between tsprobe's CMSIS-DAP host wire and a CMSIS-DAP server
// (tsprobe's own, on a simulated board): slow responses, timeouts, a dropped connection,
// WAIT storms, the server gone. Each gives a clear error, and the wire recovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDapServer } from '../dap/harness.js';
import { FaultProxy } from './fault-proxy.js';
import { CmsisDapWire, TcpDapTransport } from '../../src/wire/cmsis-dap/index.js';
import { connectCortexM } from '../../src/cortexm/connect.js';

async function setup(responseTimeoutMs: number) {
  const srv = await startDapServer();
  const proxy = new FaultProxy(srv.port);
  const port = await proxy.listen();
  const wire = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', port, 2000), { responseTimeoutMs });
  const conn = await connectCortexM(wire);
  await conn.core.halt();
  const reference = await conn.mem.readBlock(0, 256);
  return {
    srv,
    proxy,
    wire,
    conn,
    reference,
    async close() {
      await wire.close();
      await proxy.close();
      await srv.close();
    },
  };
}

test('slow responses: correct, just slower; a response later than the timeout fails clearly, then the wire reconnects', async () => {
  const s = await setup(400);
  try {
    s.proxy.mode = { kind: 'slow', ms: 15 };
    assert.deepEqual(await s.conn.mem.readBlock(0, 256), s.reference);
    s.proxy.mode = { kind: 'slow', ms: 700 };
    await assert.rejects(s.conn.mem.read32(0), /no CMSIS-DAP response within 400 ms.*the next operation reconnects/);
    assert.equal(s.wire.stats.timeouts, 1);
    s.proxy.mode = { kind: 'pass' };
    await new Promise((r) => setTimeout(r, 400)); // the server lets the old host go
    assert.deepEqual(await s.conn.mem.readBlock(0, 256), s.reference);
    assert.equal(s.wire.stats.reconnects, 1);
    assert.equal(s.proxy.stats.connections, 2);
  } finally {
    await s.close();
  }
});

test('dropped connection: the operation fails naming the link, the next one reconnects and works', async () => {
  const s = await setup(2000);
  try {
    s.proxy.mode = { kind: 'drop' };
    await assert.rejects(s.conn.mem.readBlock(0, 4096), /tcp:\/\/127\.0\.0\.1:\d+.*(closed|ECONNRESET).*reconnects/);
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(await s.conn.mem.readBlock(0, 256), s.reference);
    assert.equal(s.wire.stats.reconnects, 1);
    // Run control still works after the reconnect.
    await s.conn.core.step();
    assert.equal(await s.conn.core.isHalted(), true);
  } finally {
    await s.close();
  }
});

test('WAIT storms: a short one is ridden out by the retries, a long one fails as WAIT and the next read works', async () => {
  const s = await setup(2000);
  try {
    s.proxy.mode = { kind: 'wait', count: 4 };
    assert.equal(await s.conn.mem.read32(0), new DataView(s.reference.buffer).getUint32(0, true));
    assert.equal(s.proxy.stats.waitsInjected, 4);
    s.proxy.mode = { kind: 'wait', count: 1000 };
    await assert.rejects(s.conn.mem.read32(4), /WAIT/);
    s.proxy.mode = { kind: 'pass' };
    assert.deepEqual(await s.conn.mem.readBlock(0, 256), s.reference);
    assert.equal(s.wire.stats.reconnects, 0, 'WAIT is the target answering: no reconnect');
  } finally {
    await s.close();
  }
});

test('the server gone: reconnecting fails with a message saying what to check', async () => {
  const s = await setup(2000);
  try {
    await s.proxy.close();
    await assert.rejects(s.conn.mem.read32(0), /closed|ECONNRESET/);
    await assert.rejects(s.conn.mem.read32(0), /reconnecting failed: cannot connect to the CMSIS-DAP probe at tcp:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED.*tsprobe dap/);
  } finally {
    await s.close();
  }
});
