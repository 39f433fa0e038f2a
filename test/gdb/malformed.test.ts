// Raw-socket suite: malformed input gets the protocol's answer and never wedges the
// server. After each abuse the same connection must still answer a good packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frame } from './rsp-client.js';
import { startFakeServer, withFakeClient } from './server-helpers.js';

async function stillAlive(c: Awaited<ReturnType<Awaited<ReturnType<typeof startFakeServer>>['connect']>>): Promise<void> {
  assert.equal(await c.request('qC'), 'QC1');
}

test('bad checksum gets "-", then the retransmission is served', async () => {
  await withFakeClient(async (c) => {
    c.raw(frame('qC', true));
    await c.expectAck(false);
    assert.equal(await c.request('qC'), 'QC1');
    // Non-hex checksum characters are a bad checksum too.
    c.raw('$qC#zz');
    await c.expectAck(false);
    await stillAlive(c);
  });
});

test('our reply is retransmitted when the client answers "-"', async () => {
  await withFakeClient(async (c) => {
    c.send('qC');
    await c.expectAck();
    assert.equal(await c.packet(), 'QC1');
    c.raw('-');
    assert.equal(await c.packet(), 'QC1');
  });
});

test('garbage between packets is skipped', async () => {
  await withFakeClient(async (c) => {
    c.raw('hello world\r\n\x00\xff#12 garbage ');
    await stillAlive(c);
    // A packet cut short by a new '$' is dropped, the new one served.
    c.raw('$m2000');
    c.raw(frame('qC'));
    await c.expectAck();
    assert.equal(await c.packet(), 'QC1');
    // Random bytes.
    const junk = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 97 + 13) & 0xff).filter((b) => b !== 0x24 && b !== 0x03 && b !== 0x2b && b !== 0x2d)); // no '$', Ctrl-C or acks
    c.raw(junk);
    await stillAlive(c);
  });
});

test('oversized packet: acked, answered with an error, connection still usable', async () => {
  await withFakeClient(async (c, h) => {
    const huge = 'M20000000,20000:' + '00'.repeat(0x20000); // twice the default PacketSize
    c.raw(frame(huge));
    await c.expectAck();
    assert.match(await c.packet(), /^E[0-9a-f]{2}$/);
    await stillAlive(c);
    assert.ok(h.target.ram.every((b) => b === 0), 'nothing written');
  });
});

test('unknown packets get an empty reply', async () => {
  await withFakeClient(async (c) => {
    for (const p of ['qNoSuchThing', 'vNoSuch;1', 'QNoSuch:1', 'j', 'y12', 'qXfer:nosuch:read::0,10']) assert.equal(await c.request(p), '', p);
    assert.equal(await c.request(''), '');
    await stillAlive(c);
  });
});

test('bad hex and bad arguments get E NN', async () => {
  await withFakeClient(async (c) => {
    const bad = [
      'mzz,4',
      'm20000000',
      'm20000000,zz',
      'm,',
      'M20000000,4:zzzzzzzz',
      'M20000000,4:00',
      'M20000000,2:00000000',
      'X20000000,4:ab',
      'Xzz,1:a',
      'pzz',
      'P0=zz',
      'P0=00',
      'Gzz',
      'Z1,zz,2',
      'Z1,8000000',
      'qCRC:zz,4',
      'qRcmd,zz',
      'qXfer:features:read:target.xml:zz,10',
      'm123456789,4',
      'vFlashErase:zz',
    ];
    for (const p of bad) assert.match(await c.request(p), /^E[0-9a-f]{2}$/, p);
    await stillAlive(c);
  });
});

test('addresses that fault get E NN', async () => {
  await withFakeClient(async (c) => {
    for (const p of ['m0,4', 'mffffff00,100', 'M40000000,1:00', 'X40000000,1:a', 'qCRC:0,100']) assert.match(await c.request(p), /^E[0-9a-f]{2}$/, p);
    await stillAlive(c);
  });
});

test('abrupt disconnects mid-packet do not take the server down', async () => {
  const h = await startFakeServer();
  try {
    for (let i = 0; i < 5; i++) {
      const c = await h.connect();
      c.raw('$m20000000,');
      c.close();
      for (let k = 0; k < 50 && h.server.connected; k++) await new Promise((r) => setTimeout(r, 5));
    }
    const c = await h.connect();
    await stillAlive(c);
  } finally {
    await h.close();
  }
});
