// The probe-side semihosting handler against a plain memory array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostSemihosting, type SemihostingAccess } from '../../src/gdb/semihosting.js';

function memory(): SemihostingAccess & { bytes: Uint8Array; putWords(addr: number, words: number[]): void; putString(addr: number, s: string): void } {
  const bytes = new Uint8Array(0x1000);
  return {
    bytes,
    async readMemory(a, n) {
      if (a + n > bytes.length) throw new Error('fault');
      return bytes.slice(a, a + n);
    },
    async writeMemory(a, d) {
      bytes.set(d, a);
    },
    putWords(a, w) {
      new Uint32Array(bytes.buffer, a, w.length).set(w);
    },
    putString(a, s) {
      bytes.set([...Buffer.from(s), 0], a);
    },
  };
}

test('console output: WRITEC, WRITE0 (longer than one read block), WRITE to :tt', async () => {
  const out: string[] = [];
  const sh = new HostSemihosting((t) => out.push(t));
  const m = memory();
  m.putString(0x100, 'x');
  assert.deepEqual(await sh.call(0x03, 0x100, m), { kind: 'return', r0: 0 });
  const long = 'hello, semihosting '.repeat(10);
  m.putString(0x13c, long);
  await sh.call(0x04, 0x13c, m);
  // open(":tt", "w") -> a handle that writes to the console
  m.putString(0x400, ':tt');
  m.putWords(0x410, [0x400, 4, 3]);
  const open = await sh.call(0x01, 0x410, m);
  assert.equal(open.kind, 'return');
  const handle = (open as { r0: number }).r0;
  m.putString(0x500, 'abc');
  m.putWords(0x420, [handle, 0x500, 3]);
  assert.deepEqual(await sh.call(0x05, 0x420, m), { kind: 'return', r0: 0 });
  assert.equal(out.join(''), 'x' + long + 'abc');
  // Host files are refused.
  m.putString(0x600, '/etc/passwd');
  m.putWords(0x430, [0x600, 0, 11]);
  assert.deepEqual(await sh.call(0x01, 0x430, m), { kind: 'return', r0: 0xffffffff });
  assert.deepEqual(await sh.call(0x13, 0, m), { kind: 'return', r0: 13 });
});

test('exit and exit_extended give the status', async () => {
  const sh = new HostSemihosting(() => {});
  const m = memory();
  assert.deepEqual(await sh.call(0x18, 0x20026, m), { kind: 'exit', status: 0 });
  assert.deepEqual(await sh.call(0x18, 0x20023, m), { kind: 'exit', status: 1 });
  m.putWords(0x200, [0x20026, 7]);
  assert.deepEqual(await sh.call(0x20, 0x200, m), { kind: 'exit', status: 7 });
});
