// SWD packets on the simulated SW-DP, clock by clock, in the situations the ADIv5.2
// specification describes: the power-on JTAG state, line resets, protocol errors,
// reads before power-up, WAIT, FAULT after a bus error, write parity errors, overrun
// detection, dormant state and TARGETSEL.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard } from '../../../src/sim/boards/index.js';
import { attachDebug } from '../../../src/sim/debug/debug-system.js';
import { ACK_FAULT, ACK_NONE, ACK_OK, ACK_WAIT, drive, jtagToSwd, lineReset, packet } from './swd-helpers.js';

const DP = 0, AP = 1, R = 1, W = 0;
const CTRL_PWRUP = 0x50000000;

function setup(opts: Parameters<typeof attachDebug>[1] = {}) {
  const board = createBoard('mps2-an386');
  const dbg = attachDebug(board, opts);
  return { board, dbg, swj: dbg.swj };
}

function powerUp(swj: ReturnType<typeof setup>['swj']) {
  jtagToSwd(swj);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_OK);
  assert.equal(packet(swj, DP, W, 0x4, CTRL_PWRUP).ack, ACK_OK);
  const cs = packet(swj, DP, R, 0x4);
  assert.equal(cs.data >>> 28, 0xf, 'both power-up requests acknowledged');
}

test('an SWJ-DP starts in JTAG: SWD packets get no answer until the JTAG-to-SWD switch', () => {
  const { swj } = setup();
  lineReset(swj);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_NONE);
  jtagToSwd(swj);
  const r = packet(swj, DP, R, 0x0);
  assert.equal(r.ack, ACK_OK);
  assert.equal(r.data, 0x5ba02477);
  assert.ok(r.parityOk);
});

test('SW-DP v1 DPIDR, and TARGETID only on v2', () => {
  const { swj } = setup({ dpVersion: 1 });
  jtagToSwd(swj);
  assert.equal(packet(swj, DP, R, 0x0).data, 0x2ba01477);
  const v2 = setup();
  jtagToSwd(v2.swj);
  packet(v2.swj, DP, R, 0x0);
  assert.equal(packet(v2.swj, DP, W, 0x8, 0x2).ack, ACK_OK); // DPBANKSEL 2
  assert.equal(packet(v2.swj, DP, R, 0x4).data, (0x386 << 12 | 0x23b << 1 | 1) >>> 0);
  assert.equal(packet(v2.swj, DP, W, 0x8, 0x3).ack, ACK_OK);
  assert.equal(packet(v2.swj, DP, R, 0x4).data, 1, 'DLPIDR: protocol version 1');
});

test('the first packet after a line reset must read DPIDR, else lockout until the next line reset', () => {
  const { swj, dbg } = setup();
  jtagToSwd(swj);
  assert.equal(packet(swj, DP, R, 0x4).ack, ACK_NONE);
  assert.equal(dbg.dp.state, 'lockout');
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_NONE, 'still locked out');
  lineReset(swj);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_OK);
  assert.equal(packet(swj, DP, R, 0x4).ack, ACK_OK);
});

test('a header with bad parity is a protocol error: no response until a line reset', () => {
  const { swj } = setup();
  jtagToSwd(swj);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_OK);
  assert.equal(packet(swj, DP, R, 0x0, 0, { badHeaderParity: true }).ack, ACK_NONE);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_NONE);
  lineReset(swj);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_OK);
});

test('an AP read before power-up sets STICKYERR; RDBUFF then answers FAULT; ABORT clears it', () => {
  const { swj } = setup();
  jtagToSwd(swj);
  packet(swj, DP, R, 0x0);
  assert.equal(packet(swj, AP, R, 0xc).ack, ACK_OK, 'the AP read itself is posted');
  assert.equal(packet(swj, DP, R, 0xc).ack, ACK_FAULT);
  assert.equal(packet(swj, DP, W, 0x8, 0).ack, ACK_FAULT, 'SELECT writes FAULT too');
  const cs = packet(swj, DP, R, 0x4);
  assert.equal(cs.ack, ACK_OK);
  assert.ok(cs.data & 0x20, 'STICKYERR');
  assert.equal(packet(swj, DP, W, 0x0, 0x04).ack, ACK_OK, 'ABORT.STKERRCLR');
  assert.equal(packet(swj, DP, R, 0x4).data & 0x20, 0);
});

test('power-up request and acknowledge handshake with a delay', () => {
  const { swj } = setup({ dp: { powerUpDelay: 2 } });
  jtagToSwd(swj);
  packet(swj, DP, R, 0x0);
  packet(swj, DP, W, 0x4, CTRL_PWRUP);
  assert.equal(packet(swj, DP, R, 0x4).data >>> 28, 0x5, 'requests visible, no acks yet');
  assert.equal(packet(swj, DP, R, 0x4).data >>> 28, 0x5);
  assert.equal(packet(swj, DP, R, 0x4).data >>> 28, 0xf, 'acknowledged');
});

test('memory through the AHB-AP: posted reads, RDBUFF, byte lanes, TAR wrapping (4 KiB on M4, 1 KiB on M7)', () => {
  for (const [name, block] of [['mps2-an500', 0x400], ['mps2-an386', 0x1000]] as const) {
    const board = createBoard(name);
    const swj = attachDebug(board).swj;
    powerUp(swj);
    board.bus.write32(0x20000000, 0x44332211);
    board.bus.write32(0x20000000 + block - 4, 0xcafef00d);
    board.bus.write32(0x20000000 + block, 0x99999999);
    assert.equal(packet(swj, AP, W, 0x0, 0x03000012).ack, ACK_OK); // CSW: word, increment single
    assert.equal(packet(swj, AP, W, 0x4, 0x20000000 + block - 4).ack, ACK_OK); // TAR
    packet(swj, AP, R, 0xc); // posted: returns the previous AP read
    const first = packet(swj, AP, R, 0xc); // returns the word at block-4, reads the block's start (wrapped)
    assert.equal(first.data, 0xcafef00d, name);
    assert.equal(packet(swj, DP, R, 0xc).data, 0x44332211, `${name}: TAR wrapped inside its ${block}-byte block`);
  }
  const { swj, board } = setup();
  powerUp(swj);
  board.bus.write32(0x20000000, 0x44332211);
  // a byte read puts the byte in lane TAR[1:0]
  packet(swj, AP, W, 0x0, 0x03000010); // byte, single
  packet(swj, AP, W, 0x4, 0x20000002);
  packet(swj, AP, R, 0xc);
  assert.equal(packet(swj, DP, R, 0xc).data, 0x00330000);
});

test('a bus error: the posted read is OK, then FAULT; writes FAULT until ABORT', () => {
  const { swj } = setup();
  powerUp(swj);
  packet(swj, AP, W, 0x0, 0x03000012);
  packet(swj, AP, W, 0x4, 0x70000000);
  assert.equal(packet(swj, AP, R, 0xc).ack, ACK_OK);
  assert.equal(packet(swj, DP, R, 0xc).ack, ACK_FAULT);
  assert.equal(packet(swj, AP, W, 0xc, 1).ack, ACK_FAULT);
  assert.ok(packet(swj, DP, R, 0x4).data & 0x20);
  packet(swj, DP, W, 0x0, 0x1e);
  assert.equal(packet(swj, AP, R, 0x4).ack, ACK_OK);
  assert.equal(packet(swj, DP, R, 0xc).data, 0x70000000, 'TAR stays at the failed address');
});

test('WAIT while the AP is busy, and STICKYORUN with overrun detection', () => {
  const { swj } = setup({ ap: { busyPolls: 2 } });
  powerUp(swj);
  packet(swj, AP, W, 0x0, 0x03000012);
  packet(swj, AP, W, 0x4, 0x20000000);
  assert.equal(packet(swj, AP, R, 0xc).ack, ACK_OK);
  assert.equal(packet(swj, DP, R, 0xc).ack, ACK_WAIT);
  assert.equal(packet(swj, DP, R, 0xc).ack, ACK_WAIT);
  assert.equal(packet(swj, DP, R, 0xc).ack, ACK_OK);
  // with ORUNDETECT a WAIT sets STICKYORUN and everything but the exempt accesses FAULTs
  packet(swj, DP, W, 0x4, CTRL_PWRUP | 1);
  packet(swj, AP, R, 0xc);
  const wait = packet(swj, DP, R, 0xc);
  assert.equal(wait.ack, ACK_WAIT);
  // the overrun data phase: the target drives 33 bits, which the helper did not clock; resync with a line reset
  lineReset(swj);
  packet(swj, DP, R, 0x0);
  assert.ok(packet(swj, DP, R, 0x4).data & 0x2, 'STICKYORUN');
  assert.equal(packet(swj, DP, R, 0xc).ack, ACK_FAULT);
  packet(swj, DP, W, 0x0, 0x10); // ORUNERRCLR
  assert.equal(packet(swj, DP, R, 0x4).data & 0x2, 0);
});

test('a write with bad data parity sets WDATAERR and is discarded', () => {
  const { swj, board } = setup();
  powerUp(swj);
  packet(swj, AP, W, 0x0, 0x03000012);
  packet(swj, AP, W, 0x4, 0x20000100);
  assert.equal(packet(swj, AP, W, 0xc, 0xdeadbeef, { badDataParity: true }).ack, ACK_OK);
  assert.equal(board.bus.read32(0x20000100), 0);
  const cs = packet(swj, DP, R, 0x4);
  assert.ok(cs.data & 0x80, 'WDATAERR');
  assert.equal(packet(swj, AP, W, 0xc, 1).ack, ACK_FAULT);
  packet(swj, DP, W, 0x0, 0x08); // WDERRCLR
  assert.equal(packet(swj, AP, W, 0xc, 0x12345678).ack, ACK_OK);
  assert.equal(board.bus.read32(0x20000100), 0x12345678);
});

test('SWD to dormant, and back through the selection alert and the SWD activation code', () => {
  const { swj, dbg } = setup();
  jtagToSwd(swj);
  packet(swj, DP, R, 0x0);
  drive(swj, (1n << 56n) - 1n, 56);
  drive(swj, 0xe3bc, 16);
  assert.equal(dbg.dp.mode, 'dormant');
  lineReset(swj);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_NONE, 'a dormant DP ignores SWD');
  drive(swj, 0xff, 8);
  const alert = [0x6209f392, 0x86852d95, 0xe3ddafe9, 0x19bc0ea2];
  for (const w of alert) drive(swj, w, 32);
  drive(swj, 0, 4);
  drive(swj, 0x1a, 8);
  assert.equal(dbg.dp.mode, 'swd');
  lineReset(swj);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_OK);
});

test('SWD to JTAG and back', () => {
  const { swj, dbg } = setup();
  jtagToSwd(swj);
  packet(swj, DP, R, 0x0);
  drive(swj, (1n << 56n) - 1n, 56);
  drive(swj, 0xe73c, 16);
  assert.equal(dbg.dp.mode, 'jtag');
  jtagToSwd(swj);
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_OK);
});

test('TARGETSEL selects the matching target and deselects others until a line reset', () => {
  const { swj, dbg } = setup();
  jtagToSwd(swj);
  const tid = (0x386 << 12 | 0x23b << 1 | 1) >>> 0;
  // TARGETSEL: header, then 5 undriven cycles (trn, ack, trn), then 33 host bits
  packet(swj, DP, W, 0xc, tid ^ 0x1000); // the helper drives data only on an OK ack: do it by hand below
  assert.equal(dbg.dp.state, 'reset');
  lineReset(swj);
  const header = 1 | (0 << 1) | (0 << 2) | (1 << 3) | (1 << 4) | (0 << 5) | (1 << 7);
  const targetsel = (value: number) => {
    drive(swj, header, 8);
    for (let i = 0; i < 5; i++) swj.clock(undefined);
    drive(swj, value, 32);
    let p = 0;
    for (let i = 0; i < 32; i++) p ^= (value >>> i) & 1;
    drive(swj, p, 1);
    drive(swj, 0, 2);
  };
  targetsel((tid ^ 0x1000) >>> 0);
  assert.equal(dbg.dp.state, 'deselected');
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_NONE);
  lineReset(swj);
  targetsel(tid);
  assert.equal(dbg.dp.state, 'reset');
  assert.equal(packet(swj, DP, R, 0x0).ack, ACK_OK);
});

test('DLCR sets the turnaround period (DPv2); pushed verify and compare set STICKYCMP', () => {
  const { swj, board } = setup();
  powerUp(swj);
  packet(swj, DP, W, 0x8, 0x1); // DPBANKSEL 1: DLCR
  assert.equal(packet(swj, DP, W, 0x4, 0x100).ack, ACK_OK); // TURNROUND = 1: two cycles
  assert.equal(packet(swj, DP, R, 0x0, 0, { trn: 2 }).data, 0x5ba02477);
  assert.equal(packet(swj, DP, R, 0x4, 0, { trn: 2 }).data, 0x100);
  packet(swj, DP, W, 0x4, 0x000, { trn: 2 });
  packet(swj, DP, W, 0x8, 0x0);
  board.bus.write32(0x20000000, 0x12345678);
  packet(swj, AP, W, 0x0, 0x03000002); // word, no increment
  packet(swj, AP, W, 0x4, 0x20000000);
  // pushed verify (TRNMODE 1), all lanes: a matching write leaves STICKYCMP clear, a different one sets it
  packet(swj, DP, W, 0x4, CTRL_PWRUP | 0xf00 | 0x4);
  assert.equal(packet(swj, AP, W, 0xc, 0x12345678).ack, ACK_OK);
  assert.equal(packet(swj, DP, R, 0x4).data & 0x10, 0);
  packet(swj, AP, W, 0xc, 0x12345679);
  assert.equal(packet(swj, DP, R, 0x4).data & 0x10, 0x10, 'STICKYCMP on a mismatch');
  assert.equal(board.bus.read32(0x20000000), 0x12345678, 'pushed transfers do not write');
  packet(swj, DP, W, 0x0, 0x02); // STKCMPCLR
  // pushed compare (TRNMODE 2), lane 0 only: a match sets STICKYCMP
  packet(swj, DP, W, 0x4, CTRL_PWRUP | 0x100 | 0x8);
  packet(swj, AP, W, 0xc, 0xffffff78);
  assert.equal(packet(swj, DP, R, 0x4).data & 0x10, 0x10);
});
