/* Start-up code for the MPS2 boards: vector table, reset handler, default handlers.
 *
 * Reset: copy .data from its load address (in the code RAM, after .text) to RAM at
 * 0x20000000, zero .bss, run main(), exit through semihosting with main's return value.
 * A fault nobody handles prints what happened through semihosting and exits with a
 * distinctive status, 100 + the exception number (HardFault 103, MemManage 104,
 * BusFault 105, UsageFault 106), or 127 for any other unexpected exception. */
#include <stdint.h>
#include "mps2.h"
#include "semihost.h"
#include "console.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
void IRQ_Handler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*vector_t)(void);

/* 16 system exceptions + 32 external interrupts (CMSDK UARTs, timers, ...). */
__attribute__((section(".vectors"), used)) const vector_t vector_table[16 + 32] = {
    (vector_t)__stack_top,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    0, 0, 0, 0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler,
    [16 ... 47] = IRQ_Handler,
};

void Reset_Handler(void) {
  /* volatile: keep the copy loop a loop (gcc would turn it into a memcpy call). */
  volatile uint32_t *src = __data_load, *dst = __data_start;
  while (dst < __data_end) *dst++ = *src++;
  for (dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  int status = main();
  semihost_exit((uint32_t)status);
}

/* Called by Default_Handler with the stacked frame and EXC_RETURN. */
__attribute__((noreturn, used)) void fault_report(struct exception_frame *frame, uint32_t exc_return) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  static const char *const names[] = {"Thread", "Reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault"};
  console_targets = TO_SEMIHOST;
  console_puts("unhandled exception ");
  if (ipsr < 7) console_puts(names[ipsr]); else console_udec(ipsr);
  console_puts(": pc=");
  console_hex(frame->pc);
  console_puts(" lr=");
  console_hex(frame->lr);
  console_puts(" xpsr=");
  console_hex(frame->xpsr);
  console_puts(" exc_return=");
  console_hex(exc_return);
  console_puts(" CFSR=");
  console_hex(SCB_CFSR);
  console_puts(" HFSR=");
  console_hex(SCB_HFSR);
  console_puts("\n");
  semihost_exit(ipsr >= 2 && ipsr <= 6 ? 100 + ipsr : 127);
}

/* Pick the stack the frame was pushed on (EXC_RETURN bit 2) and report. */
__attribute__((naked)) void Default_Handler(void) {
  __asm volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "mov r1, lr\n"
      "b fault_report\n");
}
