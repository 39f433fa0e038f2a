/* A loop of ARMv6-M (Thumb-1) instructions only, for comparing the simulator with
 * emulators of Cortex-M0+ chips (rp2040js). Position independent; the raw bytes of
 * this section are also built as build/<board>/thumb1-loop.bin.
 *
 * uint32_t thumb1_loop(uint32_t iterations, uint32_t *scratch16)
 * 15 instructions per iteration: loads/stores of every size, adds, logic, a multiply,
 * a shift and a taken branch. Returns a checksum. */
  .syntax unified
  .arch armv6s-m
  .thumb
  .section .text.thumb1_loop, "ax", %progbits
  .global thumb1_loop
  .type thumb1_loop, %function
  .thumb_func
thumb1_loop:
  push {r4-r6, lr}
  movs r6, #1
1:
  ldr r2, [r1, #0]
  adds r2, #1
  str r2, [r1, #0]
  ldr r3, [r1, #4]
  eors r3, r2
  lsls r4, r3, #3
  adds r4, r4, r3
  str r4, [r1, #4]
  ldrb r5, [r1, #8]
  adds r5, #7
  strh r5, [r1, #8]
  muls r6, r4
  adds r6, #1
  subs r0, #1
  bne 1b
  adds r0, r6, r5
  pop {r4-r6, pc}
  .size thumb1_loop, . - thumb1_loop
