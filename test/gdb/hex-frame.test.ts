// hexFrame: the m/g reply built straight into its frame must be a valid packet whose
// (run-length decoded) body is the hex of the data, for any data, length and alignment.
import test from 'node:test';
import assert from 'node:assert/strict';
import { hexFrame, rleDecode } from '../../src/gdb/rsp-connection.js';

function check(bytes: Uint8Array, what: string): Buffer {
  const f = hexFrame(bytes);
  assert.equal(f[0], 0x24, `${what}: starts with $`);
  assert.equal(f[f.length - 3], 0x23, `${what}: # before the checksum`);
  const body = f.subarray(1, f.length - 3);
  let sum = 0;
  for (const c of body) sum += c;
  assert.equal(f.subarray(f.length - 2).toString('latin1'), (sum & 0xff).toString(16).padStart(2, '0'), `${what}: checksum`);
  assert.equal(body.indexOf(0x23), -1, `${what}: no # in the body`);
  assert.equal(body.indexOf(0x24), -1, `${what}: no $ in the body`);
  assert.equal(rleDecode(Buffer.from(body)).toString('latin1'), Buffer.from(bytes).toString('hex'), `${what}: body`);
  return body;
}

test('hex frames of random data, runs, odd lengths and odd offsets decode to the data', () => {
  let x = 12345;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24);
  for (const len of [0, 1, 2, 3, 7, 64, 255, 8192]) {
    const random = Uint8Array.from({ length: len }, rnd);
    check(random, `random ${len}`);
    const backing = new Uint8Array(len + 1);
    backing.set(random, 1);
    check(backing.subarray(1), `random ${len} at an odd offset`);
    check(new Uint8Array(len), `zeros ${len}`);
    check(new Uint8Array(len).fill(0xff), `ff ${len}`);
    const mixed = Uint8Array.from({ length: len }, (_, i) => ((i >> 5) & 1 ? 0x11 : rnd()));
    check(mixed, `runs ${len}`);
    const sparse = Uint8Array.from({ length: len }, (_, i) => (i % 97 === 5 || i % 97 === 6 ? 0 : i % 89 < 3 ? 0xee : rnd()));
    check(sparse, `scattered short runs ${len}`);
    check(Uint8Array.from({ length: len }, (_, i) => (i % 300 < 150 ? 0x33 : 0x30)), `digit runs that meet ${len}`);
  }
  assert.ok(check(new Uint8Array(4096), 'zeros').length < 8192 / 20, 'long runs are encoded');
});
