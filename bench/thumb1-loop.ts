// A Thumb-1 (ARMv6-M) loop for comparing tsprobe's core with rp2040js, a Cortex-M0+
// emulator: the same bytes run on both. Assembled with arm-none-eabi-as from:
//
//   loop: ldr r2,[r1,#0]; adds r2,#1; str r2,[r1,#0]; ldr r3,[r1,#4]; eors r3,r2
//         lsls r4,r3,#3; adds r4,r4,r3; str r4,[r1,#4]; ldrb r5,[r1,#8]; adds r5,#7
//         strb r5,[r1,#8]; muls r6,r4; subs r0,#1; bne loop; bkpt #0
//
// r0 = iteration count, r1 = 16 bytes of scratch RAM. 14 instructions per iteration,
// half of them loads/stores, one multiply, one taken branch.
export const THUMB1_LOOP = Uint8Array.from(Buffer.from('0a6801320a604b685340dc00e4184c600d7a07350d7266430138f1d100be', 'hex'));
export const THUMB1_LOOP_INSTRUCTIONS_PER_ITERATION = 14;
