/* Assembly half of the self-test: fault/SVC trampolines that hand the stacked frame
 * to C, and instruction forms a C compiler does not reliably emit at every
 * optimisation level (TBB/TBH, LDM/STM variants, PSP thread mode). */
  .syntax unified
  .thumb
  .text

/* Exception trampolines: r0 = the frame (MSP or PSP per EXC_RETURN bit 2),
 * r1 = EXC_RETURN; return by popping EXC_RETURN into pc (an exception return
 * through a load, not only through BX). */
  .macro trampoline name, target
  .global \name
  .type \name, %function
  .thumb_func
\name:
  tst lr, #4
  ite eq
  mrseq r0, msp
  mrsne r0, psp
  mov r1, lr
  push {r4, lr}
  bl \target
  pop {r4, pc}
  .size \name, . - \name
  .endm

  trampoline HardFault_Handler, fixup_fault
  trampoline MemManage_Handler, fixup_fault
  trampoline BusFault_Handler, fixup_fault
  trampoline UsageFault_Handler, fixup_fault
  trampoline SVC_Handler, svc_dispatch

/* uint32_t asm_tbb(uint32_t i): table branch on a byte table after the instruction. */
  .global asm_tbb
  .type asm_tbb, %function
  .thumb_func
asm_tbb:
  cmp r0, #4
  bhi 9f
  tbb [pc, r0]
0:
  .byte (1f - 0b) / 2, (2f - 0b) / 2, (3f - 0b) / 2, (4f - 0b) / 2, (5f - 0b) / 2
  .balign 2
1: movs r0, #11
  bx lr
2: movs r0, #22
  bx lr
3: movs r0, #33
  bx lr
4: movs r0, #44
  bx lr
5: movs r0, #55
  bx lr
9: movs r0, #0
  bx lr
  .size asm_tbb, . - asm_tbb

/* uint32_t asm_tbh(uint32_t i): table branch on a halfword table, targets > 510 bytes away. */
  .global asm_tbh
  .type asm_tbh, %function
  .thumb_func
asm_tbh:
  cmp r0, #2
  bhi 9f
  tbh [pc, r0, lsl #1]
0:
  .hword (1f - 0b) / 2, (2f - 0b) / 2, (3f - 0b) / 2
1: movw r0, #1001
  bx lr
  .rept 300
  nop
  .endr
2: movw r0, #2002
  bx lr
  .rept 300
  nop
  .endr
3: movw r0, #3003
  bx lr
9: movs r0, #0
  bx lr
  .size asm_tbh, . - asm_tbh

/* uint32_t asm_tbb_reg(const uint8_t *table_owner, uint32_t i): TBB with a register base;
 * the table is at asm_tbb_reg_table and the branch base is still PC. Returns 7 * (i + 1). */
  .global asm_tbb_reg
  .type asm_tbb_reg, %function
  .thumb_func
asm_tbb_reg:
  ldr r2, =asm_tbb_reg_table
  tbb [r2, r1]
0:
1: movs r0, #7
  bx lr
2: movs r0, #14
  bx lr
3: movs r0, #21
  bx lr
  .ltorg
  .size asm_tbb_reg, . - asm_tbb_reg
  .section .rodata.asm_tbb_reg_table, "a"
asm_tbb_reg_table:
  .byte (1b - 0b) / 2, (2b - 0b) / 2, (3b - 0b) / 2
  .text

/* void asm_ldm_stm(uint32_t *buf): buf has 32 words. Stores and loads with every
 * LDM/STM flavour; the C side checks buf. */
  .global asm_ldm_stm
  .type asm_ldm_stm, %function
  .thumb_func
asm_ldm_stm:
  push {r4-r11, lr}
  mov r12, r0
  movs r1, #1
  movs r2, #2
  movs r3, #3
  movs r4, #4
  movs r5, #5
  movs r6, #6
  movs r7, #7
  stmia r0!, {r1-r7}           /* 16-bit STM with writeback: buf[0..6] = 1..7 */
  mov r8, #8
  mov r9, #9
  mov r10, #10
  mov r11, #11
  stmia.w r0, {r1, r3, r8-r11} /* 32-bit STM, no writeback: buf[7..12] = 1 3 8 9 10 11 */
  add r0, r12, #64             /* buf + 16 */
  stmdb r0!, {r9, r10, r11}    /* STMDB with writeback: buf[13..15] = 9 10 11, r0 = buf + 13 */
  sub r1, r0, r12
  str r1, [r12, #64]           /* buf[16] = 52 (bytes from buf to r0) */
  add r0, r12, #68
  ldmia r12, {r1-r7}           /* 16-bit LDM without writeback (base not in list) */
  adds r1, r1, r7
  str r1, [r0], #4             /* buf[17] = 1 + 7 */
  ldmdb r0, {r2, r3}           /* LDMDB without writeback: r2 = buf[16], r3 = buf[17] */
  add r2, r3
  str r2, [r0], #4             /* buf[18] = 52 + 8 */
  ldmia r0!, {r1}              /* single-register 16-bit LDM with writeback */
  mov r1, r0
  sub r1, r12
  str r1, [r0]                 /* buf[20] = 80 */
  add r0, r12, #84
  mov r4, r0
  ldmia r4, {r1, r4}           /* base in the list, no writeback: r1 = buf[21], r4 = buf[22] */
  str r4, [r0, #16]            /* buf[25] = buf[22] */
  str r1, [r0, #20]            /* buf[26] = buf[21] */
  push {r1-r3}
  pop {r5-r7}
  str r7, [r12, #92]           /* buf[23] = r3 (8) via push/pop */
  push.w {r8, r9, r10}
  ldr r1, [sp, #4]
  add sp, sp, #12
  str r1, [r12, #96]           /* buf[24] = 9 */
  pop {r4-r11, pc}
  .size asm_ldm_stm, . - asm_ldm_stm

/* void run_on_psp(void (*fn)(void), uint32_t *stack_top): run fn in thread mode on the
 * process stack (CONTROL.SPSEL = 1), then switch back to the main stack. */
  .global run_on_psp
  .type run_on_psp, %function
  .thumb_func
run_on_psp:
  push {r4, lr}
  msr psp, r1
  mrs r2, control
  orr r2, r2, #2
  msr control, r2
  isb
  blx r0
  mrs r2, control
  bic r2, r2, #2
  msr control, r2
  isb
  pop {r4, pc}
  .size run_on_psp, . - run_on_psp
