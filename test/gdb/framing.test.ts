// Unit tests of the framing helpers: CRC, hex parsing, escapes and run-length encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gdbCrc32, crc32Update, CRC32_INIT } from '../../src/gdb/crc32.js';
import { fromHex, parseHex32, toHex } from '../../src/gdb/hex.js';
import { escapeBinary, rleDecode, rleEncode, unescapeBinary } from '../../src/gdb/rsp-connection.js';

test('CRC is CRC-32/MPEG-2 (gdb compare-sections): check value of "123456789"', () => {
  assert.equal(gdbCrc32(Buffer.from('123456789')), 0x0376e6e7);
  assert.equal(gdbCrc32(new Uint8Array(0)), 0xffffffff);
  // Chunked updates equal one pass.
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
  const split = crc32Update(crc32Update(CRC32_INIT, data.subarray(0, 333)), data.subarray(333));
  assert.equal(split, gdbCrc32(data));
});

test('hex parsing rejects bad input', () => {
  assert.deepEqual(fromHex('00ff7A'), new Uint8Array([0, 255, 0x7a]));
  assert.equal(fromHex('0'), null);
  assert.equal(fromHex('zz'), null);
  assert.equal(parseHex32('20000000'), 0x20000000);
  assert.equal(parseHex32('0000000020000000'), 0x20000000);
  assert.equal(parseHex32('ffffffff'), 0xffffffff);
  assert.equal(parseHex32('100000000'), null);
  assert.equal(parseHex32(''), null);
  assert.equal(parseHex32('12g'), null);
  assert.equal(toHex(new Uint8Array([1, 0xab])), '01ab');
});

test('binary escapes round-trip every byte value', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const esc = escapeBinary(all);
  for (const c of ['$', '#', '*']) assert.equal(esc.indexOf(c.charCodeAt(0)), -1, `raw ${c} in escaped data`);
  assert.equal(esc.length, 256 + 4);
  assert.deepEqual(unescapeBinary(esc), all);
});

test('run-length encoding: never emits # or $ as a count, and round-trips', () => {
  for (let run = 1; run < 300; run++) {
    const s = Buffer.from('a' + '0'.repeat(run) + 'b');
    const enc = rleEncode(s);
    for (let i = 0; i < enc.length; i++) {
      if (enc[i] === 0x2a) {
        const count = enc[i + 1]!;
        assert.ok(count !== 0x23 && count !== 0x24 && count <= 126, `bad count ${count} for run ${run}`);
      }
    }
    assert.deepEqual(rleDecode(enc), s, `run ${run}`);
    if (run >= 8) assert.ok(enc.length < s.length, 'long runs get shorter');
  }
  // Register dumps, gdb's common case: 0x00000000 x 16.
  const regs = Buffer.from('00000000'.repeat(16) + '0000002001');
  assert.ok(rleEncode(regs).length < 20);
});
