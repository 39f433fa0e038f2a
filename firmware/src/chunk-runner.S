/* The chunk runner's assembly: enter a generated chunk with every register set from
 * a table entry, come back when the chunk ends (it is followed by a jump to
 * chunk_done) or when it faults (the fault handlers abandon the chunk).
 *
 * Entry layout (struct chunk_entry in chunk-runner.c), 4-byte words:
 *   [0..12] r0-r12, [13] entry address | 1, [14] sp, [15] lr, [16] APSR (N Z C V Q, GE),
 *   [17] flags, [18..19] reserved. */
  .syntax unified
  .thumb
  .text

/* void run_chunk(const struct chunk_entry *e) */
  .global run_chunk
  .type run_chunk, %function
  .thumb_func
run_chunk:
  push {r4-r11, lr}
  ldr r1, =runner_saved_sp
  mov r2, sp
  str r2, [r1]
  ldr r1, [r0, #64]
#ifdef __ARM_FEATURE_DSP
  msr APSR_nzcvqg, r1
#else
  msr APSR_nzcvq, r1
#endif
  ldr r1, [r0, #56]
  mov sp, r1
  ldr lr, [r0, #60]
  ldmia.w r0, {r0-r12, pc}   /* the base may be in the list without writeback; pc last */
  .ltorg
  .size run_chunk, . - run_chunk

/* Where every chunk ends: back on the runner's stack, interrupts and priority
 * masks as the runner left them, return from run_chunk. */
  .global chunk_done
  .type chunk_done, %function
  .thumb_func
chunk_done:
  ldr r0, =runner_saved_sp
  ldr r0, [r0]
  mov sp, r0
  movs r0, #0
  msr basepri, r0
  cpsie i
  pop {r4-r11, pc}
  .ltorg
  .size chunk_done, . - chunk_done

/* Any fault or unexpected exception inside a chunk: clear the fault status, build a
 * fresh exception frame on the runner's stack that returns to chunk_done in Thread
 * mode, and return through it. The chunk's own stack may be anywhere. */
  .global runner_abandon
  .global HardFault_Handler
  .global MemManage_Handler
  .global BusFault_Handler
  .global UsageFault_Handler
  .type runner_abandon, %function
  .thumb_func
HardFault_Handler:
  .thumb_func
MemManage_Handler:
  .thumb_func
BusFault_Handler:
  .thumb_func
UsageFault_Handler:
  .thumb_func
runner_abandon:
  ldr r0, =0xe000ed28      /* CFSR: read (so the fault kind is compared), write 1 to clear */
  ldr r1, [r0]
  str r1, [r0]
  /* HFSR: cleared without being read. QEMU 7.2 reports a BKPT that escalates to
   * HardFault as FORCED, where the architecture and the Cortex-M3 TRM say DEBUGEVT. */
  mvn r2, #0
  str r2, [r0, #4]
  ldr r0, =runner_saved_sp
  ldr r0, [r0]
  subs r0, #32
  movs r1, #0
  str r1, [r0, #0]         /* r0 r1 r2 r3 r12 lr of the frame: zero */
  str r1, [r0, #4]
  str r1, [r0, #8]
  str r1, [r0, #12]
  str r1, [r0, #16]
  str r1, [r0, #20]
  ldr r1, =chunk_done
  bic r1, r1, #1           /* a stacked return address has bit 0 clear */
  str r1, [r0, #24]
  mov r1, #0x01000000      /* xPSR: Thumb */
  str r1, [r0, #28]
  msr msp, r0
  mvn r0, #6               /* EXC_RETURN 0xFFFFFFF9: Thread mode, main stack */
  bx r0
  .ltorg
  .size runner_abandon, . - runner_abandon

/* SVC from a chunk: nothing to do, the chunk goes on. */
  .global SVC_Handler
  .type SVC_Handler, %function
  .thumb_func
SVC_Handler:
  bx lr
  .size SVC_Handler, . - SVC_Handler


  .bss
  .align 2
  .global runner_saved_sp
runner_saved_sp:
  .space 4
