// Speed check of the run loop (not a test): a hand-assembled mix of 16- and 32-bit
// instructions (loads, stores, ALU, IT, PUSH/POP, BL/BX) run for a fixed number of cycles.
// Run: node dist/test/sim/cpu/perf.js [millions]

import { machine, CODE } from './harness.js';

// loop.s (see the comment at the end), assembled with arm-none-eabi-as -mcpu=cortex-m3
const LOOP_HEX =
  '4ff000520020002113685b1853608c00604001f03f05555d00eb450001316429a8bf002103b403bc00f001f8ece701fb00f67047';

const m = machine();
const bytes = Buffer.from(LOOP_HEX, 'hex');
const halves: number[] = [];
for (let i = 0; i < bytes.length; i += 2) halves.push(bytes.readUInt16LE(i));
m.load(halves, CODE);
const total = Number(process.argv[2] ?? 200) * 1e6;
const slice = 1_000_000;
const t0 = process.hrtime.bigint();
let done = 0;
while (done < total) {
  m.cpu.run(slice);
  done += slice;
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`${(done / 1e6).toFixed(0)} M instructions in ${secs.toFixed(2)} s: ${(done / secs / 1e6).toFixed(1)} M instructions/s`);

/* loop.s:
  mov.w r2, #0x20000000 ; movs r0, #0 ; movs r1, #0
loop: ldr r3, [r2] ; adds r3, r1 ; str r3, [r2, #4] ; lsls r4, r1, #2 ; eors r0, r4
  and.w r5, r1, #63 ; ldrb r5, [r2, r5] ; add.w r0, r0, r5, lsl #1 ; adds r1, #1 ; cmp r1, #100
  it ge ; movge r1, #0 ; push {r0, r1} ; pop {r0, r1} ; bl sub ; b loop
sub: mul.w r6, r1, r0 ; bx lr
*/
