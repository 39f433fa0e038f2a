// Speed check of the run loop (not a test, not a benchmark of record: bench/cpu.ts is).
// Hand-assembled loops run for a fixed number of cycles; the figure is instructions per
// second of process CPU time (steadier than wall time on a shared machine), best of 5.
// Run: node dist/test/sim/cpu/perf.js [millions per run]

import { machine, CODE } from './harness.js';

const LOOPS: [string, string][] = [
  // b .
  ['b . (dispatch floor)', 'fee7'],
  // loop: adds r0, #1 ; b loop
  ['adds ; b', '0130fde7'],
  // the Thumb-1 loop of bench/thumb1-loop.ts (rp2040js comparison): ldr/adds/str/ldr/eors/lsls/
  // adds/str/ldrb/adds/strb/muls/subs/bne, r1 = scratch RAM (set below)
  ['Thumb-1 loop', '0a6801320a604b685340dc00e4184c600d7a07350d7266430138f1d100be'],
  // mixed 16/32-bit: mov.w r2, #0x20000000 ; movs r0, #0 ; movs r1, #0
  // loop: ldr r3, [r2] ; adds r3, r1 ; str r3, [r2, #4] ; lsls r4, r1, #2 ; eors r0, r4
  //   and.w r5, r1, #63 ; ldrb r5, [r2, r5] ; add.w r0, r0, r5, lsl #1 ; adds r1, #1 ; cmp r1, #100
  //   it ge ; movge r1, #0 ; push {r0, r1} ; pop {r0, r1} ; bl sub ; b loop
  // sub: mul.w r6, r1, r0 ; bx lr
  ['16/32-bit mix with calls', '4ff000520020002113685b1853608c00604001f03f05555d00eb450001316429a8bf002103b403bc00f001f8ece701fb00f67047'],
];

const perRun = Number(process.argv[2] ?? 20) * 1e6;
for (const translate of [false, true]) {
  console.log(translate ? 'with block translation (the default):' : 'interpreted (cpu.translate = false):');
  for (const [name, hex] of LOOPS) {
    const m = machine();
    const bytes = Buffer.from(hex, 'hex');
    const halves: number[] = [];
    for (let i = 0; i < bytes.length; i += 2) halves.push(bytes.readUInt16LE(i));
    m.load(halves, CODE);
    m.cpu.translate = translate;
    m.cpu.r[0] = 0x7fffffff;
    m.cpu.r[1] = 0x20001000;
    let best = 0;
    for (let k = 0; k < 5; k++) {
      const t0 = process.cpuUsage();
      for (let done = 0; done < perRun; done += 1e6) m.cpu.run(1e6);
      const u = process.cpuUsage(t0);
      best = Math.max(best, perRun / ((u.user + u.system) / 1e6));
    }
    console.log(`  ${name.padEnd(28)} ${(best / 1e6).toFixed(1).padStart(6)} M instructions/s`);
  }
}
