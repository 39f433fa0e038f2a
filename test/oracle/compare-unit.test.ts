// The oracle's own parts, without QEMU: the log parser on a log excerpt in QEMU 7.2's
// format, and the comparison's masks, opaque ranges and reports on made-up traces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLogParser } from './qemu-trace.js';
import { compareTraces } from './compare.js';
import { Trace } from './trace.js';

const LOG = `Loaded reset SP 0x20400000 PC 0x1b5 from vector table
R00=00000000 R01=00000000 R02=00000000 R03=00000000
R04=00000000 R05=00000000 R06=00000000 R07=00000000
R08=00000000 R09=00000000 R10=00000000 R11=00000000
R12=00000000 R13=20400000 R14=ffffffff R15=000001b4
XPSR=41000000 -Z-- T priv-thread
s00=00000000 s01=00000000 d00=0000000000000000
FPSCR: 00000000
Taking exception 23 [v7M DIVBYZERO UsageFault] on CPU 0
...taking pending nonsecure exception 6
R00=20000304 R01=0000beef R02=0000BEEF R03=00000000
R04=00000001 R05=ffffffff R06=00000000 R07=e000e000
R08=00000005 R09=00000000 R10=00000002 R11=20000300
R12=32c00000 R13=203fff68 R14=fffffff9 R15=000015ec
XPSR=29000006 --C- T handler
Taking exception 16 [Semihosting call] on CPU 0
...handling as semihosting call 0x4
R00=deadbeef R01=0000381c R02=40004000 R03=00000002
R04=00000000 R05=00000000 R06=00000000 R07=203fffb0
`;

test('the QEMU log parser reads states, notes, and ignores FPU lines and partial states', () => {
  const p = new QemuLogParser();
  const b = Buffer.from(LOG);
  p.feed(b, 0, b.length);
  const t = p.trace;
  assert.equal(t.count, 2);
  assert.equal(t.pc(0), 0x1b4);
  assert.equal(t.get(0, 13), 0x20400000);
  assert.equal(t.get(0, 14), 0xffffffff);
  assert.equal(t.xpsr(0), 0x41000000);
  assert.equal(t.get(1, 2), 0xbeef, 'upper-case hex digits');
  assert.equal(t.get(1, 12), 0x32c00000);
  assert.equal(t.xpsr(1), 0x29000006);
  assert.deepEqual(t.notes.get(1), ['Taking exception 23 [v7M DIVBYZERO UsageFault]']);
  // the notes before the unfinished third state wait for it
  assert.deepEqual(p.trailingNotes(), ['Taking exception 16 [Semihosting call]', 'handling as semihosting call 0x4']);
});

/** A trace of n states from a function of (index, register). */
function trace(n: number, f: (i: number, k: number) => number, notes: Record<number, string> = {}): Trace {
  const t = new Trace();
  const s = new Uint32Array(17);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 17; k++) s[k] = f(i, k) >>> 0;
    t.push(s);
    if (notes[i]) t.note(i, notes[i]);
  }
  return t;
}
const base = (i: number, k: number) => (k === 15 ? 0x100 + 2 * i : k === 16 ? 0x01000000 : k === 13 ? 0x20001000 : i * 17 + k);
const fetch16 = () => 0xbf00;

test('identical traces compare equal, every state counted', () => {
  const r = compareTraces(trace(300, base), trace(300, base), { fetch16 });
  assert.equal(r.divergence, undefined);
  assert.equal(r.compared, 300);
});

test('a register difference is reported at its first state, with the instruction before it', () => {
  const sim = trace(300, (i, k) => (k === 7 && i >= 250 ? 0xdead : base(i, k)));
  const r = compareTraces(trace(300, base), sim, { fetch16 });
  assert.ok(r.divergence);
  assert.equal(r.divergence.qemuIndex, 250);
  assert.equal(r.divergence.pc, 0x100 + 2 * 249);
  assert.deepEqual(r.divergence.differences, [`r7: qemu 0x${(250 * 17 + 7).toString(16).padStart(8, '0')} sim 0x0000dead`]);
  assert.match(r.divergence.report, /first divergence at QEMU state 250/);
});

test('registers and flags UNKNOWN after reset are compared once both sides agree', () => {
  // r3 and the Z flag differ for the first 5 states (reset values), then agree
  const q = trace(300, (i, k) => (k === 3 && i < 5 ? 0 : k === 16 && i < 5 ? 0x41000000 : base(i, k)));
  const s = trace(300, (i, k) => (k === 3 && i < 5 ? 0x1234 : base(i, k)));
  assert.equal(compareTraces(q, s, { fetch16 }).divergence, undefined);
  // ... but a difference after they agreed is a divergence
  const s2 = trace(300, (i, k) => (k === 3 && (i < 5 || i === 100) ? 0x1234 : base(i, k)));
  assert.equal(compareTraces(q, s2, { fetch16 }).divergence?.qemuIndex, 100);
  // ... and so is a reset value that never comes to agree
  const s3 = trace(300, (i, k) => (k === 3 ? 0x1234 : base(i, k)));
  assert.ok(compareTraces(trace(300, (i, k) => (k === 3 ? 0 : base(i, k))), s3, { fetch16 }).divergence);
});

test('opaque ranges: different numbers of states inside, realigned where both leave', () => {
  // states 10..19 poll at 0x200; QEMU polls 10 times, the simulator 3 times
  const poll = (n: number) => (i: number, k: number) => {
    if (i < 10) return base(i, k);
    if (i < 10 + n) return k === 15 ? 0x200 + (i % 2) * 2 : base(10, k);
    return base(i - n + 10, k);
  };
  const q = trace(100, poll(10));
  const s = trace(93, poll(3));
  const opaque = [{ start: 0x200, end: 0x204, name: 'wait' }];
  const r = compareTraces(q, s, { fetch16, opaque });
  assert.equal(r.divergence, undefined);
  assert.equal(r.opaqueSkipped, 10);
  assert.equal(r.compared, 90);
  assert.ok(compareTraces(q, s, { fetch16 }).divergence, 'without the opaque range they differ');
});

test('r0 after a semihosting SYS_WRITE0 is not compared', () => {
  const q = trace(10, (i, k) => (k === 0 ? (i === 4 ? 4 : i === 5 ? 0xdeadbeef : 0) : base(i, k)));
  const s = trace(10, (i, k) => (k === 0 ? (i === 4 ? 4 : 0) : base(i, k)));
  const bkptAt = 0x100 + 2 * 4;
  assert.equal(compareTraces(q, s, { fetch16: (a) => (a === bkptAt ? 0xbeab : 0xbf00) }).divergence, undefined);
  assert.ok(compareTraces(q, s, { fetch16 }).divergence, 'not after another instruction');
});

test('a simulator state before an exception entry that QEMU does not have is skipped and counted', () => {
  const q = trace(20, base, { 10: 'Taking exception 15 [IRQ]' });
  const s = trace(21, (i, k) => (i < 10 ? base(i, k) : i === 10 ? (k === 15 ? 0x999 : base(9, k)) : base(i - 1, k)));
  const r = compareTraces(q, s, { fetch16 });
  assert.equal(r.divergence, undefined);
  assert.equal(r.entryRealigned, 1);
  const q2 = trace(20, base); // no exception there: the extra state is a divergence
  assert.ok(compareTraces(q2, s, { fetch16 }).divergence);
});

test('a trace that ends early is a divergence', () => {
  const r = compareTraces(trace(300, base), trace(250, base), { fetch16 });
  assert.match(r.divergence?.differences[0] ?? '', /simulator's trace ended after 250 states/);
});
