// The TCP frame decoder on its own: a stream cut at every byte position gives the same frames.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameDecoder, FramingError, FrameType } from '../../src/dap/tcp-framing.js';

describe('FrameDecoder', () => {
  const payloads = [Uint8Array.of(0x05, 0, 1, 2), new Uint8Array(0), Uint8Array.from({ length: 300 }, (_, i) => i & 0xff), Uint8Array.of(0x06)];
  const stream = Buffer.concat(payloads.map((p) => encodeFrame(FrameType.Request, p)));

  it('gives the same frames however the stream is cut into two or three reads', () => {
    for (let a = 0; a <= stream.length; a++) {
      for (const b of [a, Math.min(stream.length, a + 3), Math.min(stream.length, a + 200)]) {
        const d = new FrameDecoder();
        const got = [...d.push(stream.subarray(0, a)), ...d.push(stream.subarray(a, b)), ...d.push(stream.subarray(b))];
        assert.deepEqual(got.map((f) => [f.type, Array.from(f.payload)]), payloads.map((p) => [FrameType.Request, Array.from(p)]), `cut at ${a}, ${b}`);
        assert.equal(d.pendingBytes, 0);
      }
    }
  });

  it('byte by byte', () => {
    const d = new FrameDecoder();
    const got = [];
    for (let i = 0; i < stream.length; i++) got.push(...d.push(stream.subarray(i, i + 1)));
    assert.equal(got.length, payloads.length);
    assert.deepEqual(Array.from(got[2].payload), Array.from(payloads[2]));
  });

  it('payloads are plain Uint8Arrays whose slice() copies', () => {
    const [f] = new FrameDecoder().push(encodeFrame(FrameType.Request, Uint8Array.of(1, 2, 3)));
    assert.equal(Object.getPrototypeOf(f.payload), Uint8Array.prototype);
  });

  it('a bad signature throws, also in a frame completed across reads', () => {
    const d = new FrameDecoder();
    d.push(stream.subarray(0, 3));
    const broken = Buffer.from(stream.subarray(3));
    broken[0] ^= 0xff; // the signature's 4th byte
    assert.throws(() => d.push(broken), FramingError);
    assert.throws(() => new FrameDecoder().push(Buffer.from('GET / HTTP/1.1\r\n')), FramingError);
  });
});
