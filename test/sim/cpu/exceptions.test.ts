// Exception model tests: entry frame, EXC_RETURN, return, tail-chaining, priorities and
// grouping, escalation, lockup, sleep (WFI/WFE/SLEEPONEXIT), SysTick through run(), resets.
// Code is hand-assembled Thumb (encodings in comments); handlers live at fixed addresses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopReason, LOCKUP_ADDRESS } from '../../../src/sim/cpu/cpu.js';
import { machine, thumb, CODE, RAM, STACK_TOP, type Machine } from './harness.js';

const NOP = 0xbf00;
const B_SELF = 0xe7fe; // b .
const BX_LR = 0x4770;
const SVC0 = 0xdf00;
const WFI = 0xbf30;
const WFE = 0xbf20;
const SEV = 0xbf40;
const UDF = 0xde00;
const ADDS_R3_1 = 0x3301; // adds r3, #1
const ADDS_R4_1 = 0x3401; // adds r4, #1
const STR_R1_R0 = 0x6001; // str r1, [r0]

const HANDLER_A = 0x400;
const HANDLER_B = 0x500;

function place(m: Machine, addr: number, halfwords: number[]): void {
  const bytes = new Uint8Array(halfwords.length * 2);
  halfwords.forEach((h, i) => {
    bytes[2 * i] = h & 0xff;
    bytes[2 * i + 1] = h >>> 8;
  });
  m.bus.load(addr, bytes);
}

const read32 = (m: Machine, a: number): number => m.bus.read32(a);
const write32 = (m: Machine, a: number, v: number): void => m.bus.write32(a, v);

test('SVC: 8-word frame, EXC_RETURN 0xFFFFFFF9, IPSR, and return restores everything', () => {
  const m = machine();
  m.vector(11, HANDLER_A);
  place(m, HANDLER_A, [ADDS_R4_1, BX_LR]);
  m.load(thumb(SVC0, NOP, B_SELF));
  const cpu = m.cpu;
  for (let i = 0; i < 13; i++) cpu.r[i] = 0x100 + i;
  cpu.r[14] = 0x12345679;
  cpu.n = 1;
  cpu.c = 1;
  cpu.z = 0;
  m.steps(1); // SVC, and the entry completes in the same step
  assert.equal(cpu.ipsr, 11);
  assert.equal(cpu.pc, HANDLER_A);
  assert.equal(cpu.r[14], 0xfffffff9);
  const sp = cpu.r[13];
  assert.equal(sp, STACK_TOP - 32);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((k) => read32(m, sp + 4 * k)),
    [0x100, 0x101, 0x102, 0x103, 0x10c, 0x12345679, CODE + 2, 0xa1000000],
  );
  m.steps(2); // adds r4 ; bx lr (return)
  assert.equal(cpu.ipsr, 0);
  assert.equal(cpu.pc, CODE + 2);
  assert.equal(cpu.r[13], STACK_TOP);
  assert.equal(cpu.r[4], 0x105);
  assert.equal(cpu.r[14], 0x12345679);
  assert.equal(cpu.xpsr >>> 28, 0b1010); // N and C back from the frame
});

test('STKALIGN: a misaligned SP is aligned to 8 and bit 9 of the stacked xPSR records it', () => {
  const m = machine();
  m.vector(11, HANDLER_A);
  place(m, HANDLER_A, [BX_LR]);
  m.load(thumb(SVC0, NOP));
  m.cpu.r[13] = STACK_TOP - 4;
  m.steps(1);
  const sp = m.cpu.r[13];
  assert.equal(sp, STACK_TOP - 4 - 4 - 32);
  assert.equal(read32(m, sp + 28) & (1 << 9), 1 << 9);
  m.steps(1);
  assert.equal(m.cpu.r[13], STACK_TOP - 4);
});

test('an exception from Thread mode on PSP stacks on PSP and returns with 0xFFFFFFFD', () => {
  const m = machine();
  m.vector(11, HANDLER_A);
  place(m, HANDLER_A, [BX_LR]);
  m.load(thumb(SVC0, NOP));
  const cpu = m.cpu;
  cpu.psp = RAM + 0x4000;
  cpu.control = 2; // SPSEL
  assert.equal(cpu.r[13], RAM + 0x4000);
  m.steps(1);
  assert.equal(cpu.r[14], 0xfffffffd);
  assert.equal(cpu.psp, RAM + 0x4000 - 32);
  assert.equal(cpu.r[13], STACK_TOP); // handlers run on MSP
  assert.equal(cpu.control & 2, 0);
  m.steps(1);
  assert.equal(cpu.control & 2, 2);
  assert.equal(cpu.r[13], RAM + 0x4000);
});

test('tail-chaining: a pending exception runs right after the first handler, before Thread code', () => {
  const m = machine();
  m.vector(14, HANDLER_A); // PendSV
  m.vector(15, HANDLER_B); // SysTick
  place(m, HANDLER_A, [0x3501, BX_LR]); // adds r5, #1
  place(m, HANDLER_B, [ADDS_R4_1, BX_LR]);
  m.load(thumb(NOP, ADDS_R3_1, B_SELF));
  const cpu = m.cpu;
  cpu.nvic.setPending(14);
  cpu.nvic.setPending(15);
  m.steps(1); // entry: both have priority 0, the lower number (PendSV) first
  assert.equal(cpu.ipsr, 14);
  m.steps(2); // adds ; bx lr -> tail-chains into SysTick without unstacking
  assert.equal(cpu.ipsr, 15);
  assert.equal(cpu.pc, HANDLER_B);
  assert.equal(cpu.r[14], 0xfffffff9);
  assert.equal(cpu.r[13], STACK_TOP - 32, 'the frame stays on the stack');
  m.steps(2);
  assert.equal(cpu.ipsr, 0);
  assert.equal(cpu.pc, CODE);
  assert.deepEqual([cpu.r[3], cpu.r[4], cpu.r[5]], [0, 1, 1], 'r3 is restored from the frame');
});

test('preemption follows group priority (AIRCR.PRIGROUP); equal groups do not preempt', () => {
  const m = machine();
  const cpu = m.cpu;
  // IRQ0 -> HANDLER_A, IRQ1 -> HANDLER_B; IRQ0 pends IRQ1 from its handler
  m.vector(16, HANDLER_A);
  m.vector(17, HANDLER_B);
  // handler A: str r1, [r0] (r0 = ISPR0, r1 = 2) ; nop ; adds r3, #1 ; bx lr
  place(m, HANDLER_A, [STR_R1_R0, NOP, ADDS_R3_1, BX_LR]);
  place(m, HANDLER_B, [ADDS_R4_1, BX_LR]);
  for (const [prigroup, ipr, preempts] of [
    [0, 0x00004080, true], // IRQ0 0x80, IRQ1 0x40: IRQ1 has a higher group priority
    [7, 0x00004080, false], // PRIGROUP 7: no group bits, everything in one group
  ] as const) {
    m.load(thumb(NOP, B_SELF));
    write32(m, 0xe000ed0c, 0x05fa0000 | (prigroup << 8));
    write32(m, 0xe000e400, ipr);
    write32(m, 0xe000e100, 3); // enable IRQ0, IRQ1
    write32(m, 0xe000e200, 1); // pend IRQ0
    cpu.r[0] = 0xe000e200;
    cpu.r[1] = 2;
    m.steps(1); // entry into IRQ0
    assert.equal(cpu.ipsr, 16);
    m.steps(1); // str: pends IRQ1
    assert.equal(cpu.ipsr, preempts ? 17 : 16, `PRIGROUP ${prigroup}`);
  }
});

test('a fault with its handler disabled escalates to HardFault (HFSR.FORCED)', () => {
  const m = machine();
  m.vector(3, HANDLER_A);
  place(m, HANDLER_A, [B_SELF]);
  m.load(thumb(UDF));
  m.steps(1);
  assert.equal(m.cpu.ipsr, 3);
  assert.equal(read32(m, 0xe000ed2c) >>> 0, 0x40000000); // FORCED
  assert.equal(read32(m, 0xe000ed28), 1 << 16); // UFSR.UNDEFINSTR
  assert.equal(read32(m, m.cpu.r[13] + 24), CODE, 'the stacked PC is the faulting instruction');
});

test('an enabled UsageFault is taken as such; CFSR is write-one-to-clear', () => {
  const m = machine();
  m.vector(6, HANDLER_A);
  place(m, HANDLER_A, [B_SELF]);
  m.load(thumb(0xfbb1, 0xf0f2)); // udiv r0, r1, r2
  write32(m, 0xe000ed24, 1 << 18); // USGFAULTENA
  write32(m, 0xe000ed14, read32(m, 0xe000ed14) | 0x10); // DIV_0_TRP
  m.cpu.r[1] = 10;
  m.cpu.r[2] = 0;
  m.steps(1);
  assert.equal(m.cpu.ipsr, 6);
  assert.equal(read32(m, 0xe000ed28), 1 << 25); // DIVBYZERO
  write32(m, 0xe000ed28, 1 << 25);
  assert.equal(read32(m, 0xe000ed28), 0);
});

test('a precise BusFault records BFAR and BFARVALID', () => {
  const m = machine();
  m.vector(5, HANDLER_A);
  place(m, HANDLER_A, [B_SELF]);
  m.load(thumb(0x6808)); // ldr r0, [r1]
  write32(m, 0xe000ed24, 1 << 17); // BUSFAULTENA
  m.cpu.r[1] = 0x70000000;
  m.steps(1);
  assert.equal(m.cpu.ipsr, 5);
  assert.equal(read32(m, 0xe000ed28), (1 << 9) | (1 << 15)); // PRECISERR, BFARVALID
  assert.equal(read32(m, 0xe000ed38), 0x70000000);
});

test('a fault in the HardFault handler locks the core up at 0xEFFFFFFE', () => {
  const m = machine();
  m.vector(3, HANDLER_A);
  place(m, HANDLER_A, [UDF]);
  m.load(thumb(UDF));
  m.steps(1);
  assert.equal(m.cpu.ipsr, 3);
  const why = m.cpu.step();
  assert.equal(why, StopReason.Lockup);
  assert.equal(m.cpu.lockedUp, true);
  assert.equal(m.cpu.pc, LOCKUP_ADDRESS);
  assert.equal(m.cpu.run(1000), StopReason.Lockup);
  m.cpu.reset();
  assert.equal(m.cpu.lockedUp, false);
});

test('SVC at a priority that cannot preempt escalates to HardFault', () => {
  const m = machine();
  m.vector(3, HANDLER_A);
  place(m, HANDLER_A, [B_SELF]);
  m.load(thumb(SVC0));
  m.cpu.primask = 1;
  m.steps(1);
  assert.equal(m.cpu.ipsr, 3);
  assert.equal(read32(m, 0xe000ed2c) >>> 0, 0x40000000);
});

test('PRIMASK holds interrupts back; CPSIE lets the pending one in', () => {
  const m = machine();
  m.vector(16, HANDLER_A);
  place(m, HANDLER_A, [B_SELF]);
  m.load(thumb(0xb672, NOP, NOP, 0xb662, NOP)); // cpsid i ; nop ; nop ; cpsie i ; nop
  m.steps(1);
  m.cpu.nvic.setEnabled(16, true);
  m.cpu.nvic.irq(0, true);
  m.steps(2);
  assert.equal(m.cpu.ipsr, 0);
  m.steps(1);
  assert.equal(m.cpu.ipsr, 16);
  assert.equal(read32(m, m.cpu.r[13] + 24), CODE + 8);
});

test('BASEPRI masks by priority, BASEPRI_MAX only raises it', () => {
  const m = machine();
  m.load(thumb(0xf380, 0x8812, 0xf381, 0x8812)); // msr basepri_max, r0 ; msr basepri_max, r1
  m.cpu.basepri = 0x80;
  m.cpu.r[0] = 0xa0; // lower priority than 0x80: ignored
  m.cpu.r[1] = 0x40; // higher: taken
  m.steps(1);
  assert.equal(m.cpu.basepri, 0x80);
  m.steps(1);
  assert.equal(m.cpu.basepri, 0x40);
});

test('WFI sleeps (run returns Sleeping) until an interrupt is pending', () => {
  const m = machine();
  m.vector(16, HANDLER_A);
  place(m, HANDLER_A, [ADDS_R4_1, B_SELF]);
  m.load(thumb(WFI, ADDS_R3_1, B_SELF));
  const cpu = m.cpu;
  assert.equal(cpu.run(100), StopReason.Sleeping);
  assert.equal(cpu.sleeping, true);
  const t = m.clock.now;
  assert.equal(cpu.run(100), StopReason.Sleeping);
  assert.equal(m.clock.now, t, 'a sleeping core does not spin');
  cpu.nvic.setEnabled(16, true);
  cpu.nvic.irq(0, true);
  cpu.run(10);
  assert.equal(cpu.sleeping, false);
  assert.equal(cpu.r[4], 1);
});

test('WFI with PRIMASK set wakes without taking the interrupt', () => {
  const m = machine();
  m.load(thumb(WFI, ADDS_R3_1, B_SELF));
  m.cpu.primask = 1;
  assert.equal(m.cpu.run(10), StopReason.Sleeping);
  m.cpu.nvic.setEnabled(16, true);
  m.cpu.nvic.irq(0, true);
  m.cpu.run(2);
  assert.equal(m.cpu.ipsr, 0);
  assert.equal(m.cpu.r[3], 1);
});

test('WFE consumes the event register set by SEV; without an event it sleeps', () => {
  const m = machine();
  m.load(thumb(SEV, WFE, ADDS_R3_1, WFE, ADDS_R3_1, B_SELF));
  assert.equal(m.cpu.run(10), StopReason.Sleeping);
  assert.equal(m.cpu.r[3], 1);
  m.cpu.sendEvent();
  m.cpu.run(2);
  assert.equal(m.cpu.r[3], 2);
});

test('SLEEPONEXIT: returning to Thread mode goes back to sleep', () => {
  const m = machine();
  m.vector(16, HANDLER_A);
  place(m, HANDLER_A, [ADDS_R4_1, BX_LR]);
  m.load(thumb(WFI, ADDS_R3_1, B_SELF));
  write32(m, 0xe000ed10, 2); // SCR.SLEEPONEXIT
  assert.equal(m.cpu.run(10), StopReason.Sleeping);
  m.cpu.nvic.setEnabled(16, true);
  m.cpu.nvic.pulse(0);
  assert.equal(m.cpu.run(10), StopReason.Sleeping);
  assert.equal(m.cpu.r[4], 1);
  assert.equal(m.cpu.r[3], 0, 'Thread code did not run');
});

test('SysTick interrupts every RVR+1 cycles of simulated time', () => {
  const m = machine();
  m.vector(15, HANDLER_A);
  place(m, HANDLER_A, [ADDS_R4_1, BX_LR]);
  m.load(thumb(B_SELF));
  write32(m, 0xe000e014, 999); // RVR
  write32(m, 0xe000e018, 0); // CVR
  write32(m, 0xe000e010, 7); // ENABLE | TICKINT | CLKSOURCE
  m.cpu.run(10_500);
  assert.equal(m.cpu.r[4], 10);
  const cvr = read32(m, 0xe000e018);
  assert.ok(cvr <= 999, `CVR ${cvr}`);
});

test('AIRCR.SYSRESETREQ calls the board hook; VECTRESET resets the core', () => {
  const m = machine();
  let resets = 0;
  m.cpu.onSysResetReq = () => {
    resets++;
    m.cpu.reset();
  };
  m.load(thumb(STR_R1_R0, ADDS_R3_1, B_SELF));
  m.cpu.r[0] = 0xe000ed0c;
  m.cpu.r[1] = 0x05fa0004;
  m.cpu.run(5);
  assert.equal(resets, 1);
  write32(m, 0xe000ed0c, 0x12340004); // wrong key: ignored
  m.cpu.run(5);
  assert.equal(resets, 1);
});

test('an invalid EXC_RETURN raises INVPC', () => {
  const m = machine();
  m.vector(11, HANDLER_A);
  m.vector(3, HANDLER_B);
  place(m, HANDLER_A, [0x4708]); // bx r1
  place(m, HANDLER_B, [B_SELF]);
  m.load(thumb(SVC0, NOP));
  m.cpu.r[1] = 0xfffffff5;
  m.steps(2);
  assert.equal(m.cpu.ipsr, 3); // UsageFault disabled: HardFault
  assert.equal(read32(m, 0xe000ed28), 1 << 18); // INVPC
});

test('bus errors while stacking set STKERR', () => {
  const m = machine();
  m.vector(11, HANDLER_A);
  m.vector(3, HANDLER_B);
  place(m, HANDLER_A, [BX_LR]);
  place(m, HANDLER_B, [B_SELF]);
  m.load(thumb(SVC0));
  m.cpu.r[13] = 0x10000010; // nothing mapped below
  m.steps(1);
  assert.equal(read32(m, 0xe000ed28) & (1 << 12), 1 << 12);
});
