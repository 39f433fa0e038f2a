// Seeded random packets against the server on the fake target: every packet must get an
// answer (or, for the few packets without one, nothing) and the server must keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withFakeClient } from './server-helpers.js';

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 0x100000000;
  };
}

const HEADS = ['m', 'M', 'X', 'g', 'G', 'p', 'P', 'Z0,', 'Z1,', 'Z2,', 'Z3,', 'Z4,', 'z0,', 'z2,', 'qCRC:', 'qXfer:features:read:target.xml:', 'qXfer:memory-map:read::', 'qRcmd,', 'vFlashErase:', 'vFlashWrite:', 'H', 'T', 'qSupported:', 'vCont;', 'q', 'Q', 'v', 'x', '?'];
const PIECES = ['20000000', '8000000', '0', 'ffffffff', '4', '100', '1', ',', ':', ';', '=', 'zz', '-1', '10000', '6d6f6e', 'ab', ''];
// Left out on purpose: k/R/D/vKill/vRun/c/s (run control), tested elsewhere.

test('random packets never crash or wedge the server', async () => {
  await withFakeClient(async (c, h) => {
    c.raw('+');
    await c.request('QStartNoAckMode');
    c.noAck = true;
    const r = rng(12345);
    for (let i = 0; i < 400; i++) {
      let pkt = HEADS[Math.floor(r() * HEADS.length)]!;
      const n = Math.floor(r() * 5);
      for (let k = 0; k < n; k++) pkt += PIECES[Math.floor(r() * PIECES.length)]!;
      if (pkt.startsWith('vCont;')) pkt = 'vCont;t'; // no running here
      // Resolves only if a well-formed reply arrives in time.
      await c.request(pkt);
    }
    assert.equal(await c.request('qC'), 'QC1');
    assert.equal(h.server.connected, true);
    // No packet reached a code path that threw unexpectedly (those are logged).
    assert.deepEqual(h.logs.filter((l) => / failed: /.test(l)), []);
  });
});
