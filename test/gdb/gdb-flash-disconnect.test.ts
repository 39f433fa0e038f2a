// A gdb client that goes away in the middle of a flash load (after vFlashErase and some
// vFlashWrite packets, in the middle of the next one): the server stays up and serves
// the next client, the data not yet programmed is dropped, and the STM32H743's flash
// controller is left idle and locked (checked through the debug wire).
import test from 'node:test';
import assert from 'node:assert/strict';
import { ProbeSession } from '../../src/probe/session.js';
import { connectCortexM } from '../../src/cortexm/connect.js';
import { createGdbTarget } from '../../src/gdb/cortexm-target.js';
import { GdbServer } from '../../src/gdb/server.js';
import { RspClient, frame } from './rsp-client.js';

/** RSP binary data: '#', '$', '}' and '*' escaped as '}' + (byte ^ 0x20). */
function escapeBinary(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of data) {
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Buffer.from(out);
}

const CR1 = 0x5200200c, CR2 = 0x5200210c, SR1 = 0x52002010;

test('client disconnects mid vFlashWrite: server survives, flash finished and locked', async () => {
  const session = ProbeSession.open('sim:stm32h743');
  const logs: string[] = [];
  const conn = await connectCortexM(session.wireFor('gdb'));
  const { target } = await createGdbTarget(conn, { where: 'sim:stm32h743', log: (m) => logs.push(m) });
  const server = new GdbServer(target, { port: 0, version: 'tsprobe test', log: (m) => logs.push(m) });
  const { port } = await server.listen();
  const check = await connectCortexM(session.wireFor('check'));
  try {
    const c = await RspClient.connect(port);
    assert.match(await c.request('qSupported:multiprocess+;swbreak+;hwbreak+'), /qXfer:memory-map:read\+/);
    const map = await c.request('qXfer:memory-map:read::0,fff');
    assert.match(map, /<memory type="flash" start="0x8000000" length="0x100000">/);
    assert.equal(await c.request('vFlashErase:08000000,20000'), 'OK');
    const data = new Uint8Array(1024).map((_, i) => (i * 13) & 0xff);
    assert.equal(await c.request(Buffer.concat([Buffer.from('vFlashWrite:8000000:'), escapeBinary(data)])), 'OK');
    // Half of the next packet, then the socket goes away.
    const next = frame(Buffer.concat([Buffer.from('vFlashWrite:8000400:'), escapeBinary(data)]));
    c.raw(next.subarray(0, 300));
    c.close();

    // The next client is served, and sees the controller idle and both banks locked.
    // (Until the old session has finished, a new client is told the probe is busy.)
    let c2: RspClient | null = null;
    let stop = '';
    for (let i = 0; i < 100; i++) {
      c2 = await RspClient.connect(port);
      stop = await c2.request('?');
      if (/^T[0-9a-f]{2}/.test(stop)) break;
      assert.match(stop, /probe busy: another gdb client is connected/);
      c2.close();
      c2 = null;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(c2, `server serves a new client (last reply ${stop})`);
    assert.equal(await c2.request('m8000000,4'), 'ffffffff', 'the unfinished load was not programmed');
    assert.ok(logs.some((l) => /client left during a flash write/.test(l)), logs.join('\n'));
    assert.equal((await check.mem.read32(CR1)) & 1, 1, 'bank 1 locked');
    assert.equal((await check.mem.read32(CR2)) & 1, 1, 'bank 2 locked');
    assert.equal((await check.mem.read32(SR1)) & 0b111, 0, 'no QW/WBNE/BSY');
    assert.equal((await check.mem.read32(CR1)) & 0b1110, 0, 'PG/SER/BER clear');

    // And a complete load works on this client.
    assert.equal(await c2.request('vFlashErase:08000000,20000'), 'OK');
    assert.equal(await c2.request(Buffer.concat([Buffer.from('vFlashWrite:8000000:'), escapeBinary(data)])), 'OK');
    assert.equal(await c2.request('vFlashDone'), 'OK');
    assert.equal(await c2.request('m8000000,4'), Buffer.from(data.subarray(0, 4)).toString('hex'));
    c2.close();
  } finally {
    await server.close();
    await session.close();
  }
});
