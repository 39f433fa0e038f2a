// DAP_Transfer packets that carry a block (set-up writes, then a run of one AP register,
// as OpenOCD 0.12 and tsprobe's own host send them): the device answers exactly as the
// same transfers done one SWD packet at a time would, also when the AP faults part-way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DapProcessor } from '../../src/dap/processor.js';
import { Cmd, DAP_OK, Resp } from '../../src/dap/protocol.js';
import { ProbeSession } from '../../src/probe/session.js';
import type { TransferRequest } from '../../src/wire/debug-wire.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const sessions: ProbeSession[] = [];
after(async () => {
  for (const s of sessions) await s.close();
});

async function connected() {
  const session = ProbeSession.open('sim:mps2-an385');
  sessions.push(session);
  session.machine.stop('test');
  for (let i = 0; i < 0x400; i++) session.board.bus.write32(0x20000000 + 4 * i, Math.imul(i, 2654435761) >>> 0);
  const p = new DapProcessor(session.wireFor('test'), {});
  const one = async (bytes: number[]) => (await p.handlePacket(Uint8Array.from(bytes)))[0]!;
  await one([Cmd.Connect, 1]);
  const ones7 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  for (const seq of [[56, ...ones7], [16, 0x9e, 0xe7], [56, ...ones7], [8, 0]]) assert.equal((await one([Cmd.SwjSequence, ...seq]))[1], DAP_OK);
  await one([Cmd.Transfer, 0, 3, 0x02, 0x00, ...le32(0x1e), 0x04, ...le32(0x50000000)]);
  return { session, one };
}

function transfers(read: boolean, tar: number, n: number): TransferRequest[] {
  return [
    { ap: false, read: false, addr: 0x8, value: 0 },
    { ap: true, read: false, addr: 0x0, value: 0x23000012 },
    { ap: true, read: false, addr: 0x4, value: tar },
    ...Array.from({ length: n }, (_, i) => (read ? { ap: true, read: true, addr: 0xc } : { ap: true, read: false, addr: 0xc, value: (0xabc00000 + i) >>> 0 })),
  ];
}

const packet = (ts: TransferRequest[]) => [Cmd.Transfer, 0, ts.length, ...ts.flatMap((t) => [(t.ap ? 1 : 0) | (t.read ? 2 : 0) | t.addr, ...(t.read ? [] : le32(t.value!))])];

test('DAP_Transfer with a block in it answers as single SWD packets do (reads, writes, faults)', async () => {
  let faults = 0;
  for (const [read, tar, n] of [[true, 0x20000000, 40], [false, 0x20000100, 40], [true, 0x20000f80, 60], [true, 0x203ffff0, 20], [false, 0x203ffff0, 20], [true, 0xf0000000, 20], [false, 0xf0000000, 20]] as const) {
    const a = await connected();
    const resp = await a.one(packet(transfers(read, tar, n)));
    // The reference: the same transfers as one wire batch with the run path off.
    const b = await connected();
    b.session.simWire.debug.dp.apRun = () => 0;
    const res = await b.session.wireFor('ref').transfer(transfers(read, tar, n));
    let ack = res.ack === 'ok' ? Resp.OK : res.ack === 'fault' ? Resp.FAULT : res.ack === 'wait' ? Resp.WAIT : Resp.NO_ACK;
    if (res.ack === 'ok' && !read) ack = (await b.session.wireFor('ref').transfer([{ ap: false, read: true, addr: 0xc }])).ack === 'ok' ? Resp.OK : Resp.FAULT;
    const what = `${read ? 'read' : 'write'} ${n} at ${tar.toString(16)}`;
    assert.equal(resp[0], Cmd.Transfer);
    assert.equal(resp[1], res.completed, `${what}: count`);
    assert.equal(resp[2], ack, `${what}: response`);
    if (ack === Resp.FAULT) faults++;
    assert.deepEqual(Array.from({ length: (resp.length - 3) / 4 }, (_, i) => new DataView(resp.buffer, resp.byteOffset).getUint32(3 + 4 * i, true)), res.reads, `${what}: data`);
    for (let i = 0; i < 0x400; i++) assert.equal(a.session.board.bus.read32(0x20000000 + 4 * i), b.session.board.bus.read32(0x20000000 + 4 * i), `${what}: memory`);
  }
  assert.equal(faults, 2, 'the reads and the writes at 0xf0000000 fault');
});
