// The ITM packet decoder: every packet kind of the ARMv7-M ITM/DWT protocol, packets split
// across pushes at every byte, and resynchronising after noise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ItmDecoder, stimulusBytes, type ItmPacket } from '../../src/cortexm/itm-decoder.js';

// A stream with one of each kind, written out by hand from the packet formats.
const STREAM = [
  0x00, 0x00, 0x00, 0x00, 0x00, 0x80, // synchronisation
  0x01, 0x41, // port 0, 1 byte 'A'
  0x0a, 0x34, 0x12, // port 1, halfword 0x1234
  0xfb, 0x78, 0x56, 0x34, 0x12, // port 31, word 0x12345678
  0x70, // overflow
  0x47, 0xef, 0xbe, 0xad, 0xde, // hardware source id 8 (0x47 = 8<<3 | 4 | 3), word
  0x30, // local timestamp, one byte: 3
  0xc0, 0x81, 0x01, // local timestamp with continuation: 1 + (1 << 7) = 129, tc 0
  0x94, 0x85, 0x80, 0x01, // global timestamp 1: 5 + (1 << 14)
  0xb4, 0x02, // global timestamp 2: 2
  0x08, // extension, one byte, page 0
  0x04, // reserved header: unknown
  0x09, 0x0a, // port 1 byte: newline
];

const EXPECTED: ItmPacket[] = [
  { kind: 'sync' },
  { kind: 'instrumentation', port: 0, value: 0x41, size: 1 },
  { kind: 'instrumentation', port: 1, value: 0x1234, size: 2 },
  { kind: 'instrumentation', port: 31, value: 0x12345678, size: 4 },
  { kind: 'overflow' },
  { kind: 'hardware', id: 8, value: 0xdeadbeef, size: 4 },
  { kind: 'local-timestamp', delta: 3, tc: 0 },
  { kind: 'local-timestamp', delta: 129, tc: 0 },
  { kind: 'global-timestamp', part: 1, value: 5 + (1 << 14) },
  { kind: 'global-timestamp', part: 2, value: 2 },
  { kind: 'extension', sh: 0, value: 0 },
  { kind: 'unknown', byte: 0x04 },
  { kind: 'instrumentation', port: 1, value: 0x0a, size: 1 },
];

test('every packet kind decodes from one push', () => {
  const d = new ItmDecoder();
  assert.deepEqual(d.push(Uint8Array.from(STREAM)), EXPECTED);
  assert.equal(d.counts.packets, EXPECTED.length);
  assert.equal(d.counts.overflows, 1);
  assert.equal(d.counts.unknown, 1);
});

test('the same stream split at every byte gives the same packets', () => {
  for (let cut = 1; cut < STREAM.length; cut++) {
    const d = new ItmDecoder();
    const got = [...d.push(Uint8Array.from(STREAM.slice(0, cut))), ...d.push(Uint8Array.from(STREAM.slice(cut)))];
    assert.deepEqual(got, EXPECTED, `cut at ${cut}`);
  }
  const d = new ItmDecoder();
  const oneByOne = STREAM.flatMap((b) => d.push(Uint8Array.of(b)));
  assert.deepEqual(oneByOne, EXPECTED);
});

test('zeros that are not a sync packet carry nothing; text comes back from stimulus bytes', () => {
  const d = new ItmDecoder();
  const p = d.push(Uint8Array.from([0x00, 0x00, 0x03, 0x68, 0x69, 0x21, 0x0a]));
  assert.deepEqual(p, [{ kind: 'instrumentation', port: 0, value: 0x0a216968, size: 4 }]);
  assert.equal(Buffer.from(stimulusBytes(p[0] as { value: number; size: number })).toString(), 'hi!\n');
});
