/* Locks the core up: an undefined instruction in thread mode escalates to HardFault
 * (UsageFault is disabled), and the HardFault handler executes another undefined
 * instruction, which cannot escalate any further: the core enters lockup.
 * For the CLI's "firmware locks up" error tests. */
#include "uart.h"
#include "console.h"

void HardFault_Handler(void) {
  __asm volatile("udf #1");
}

int main(void) {
  uart_init();
  console_targets = TO_UART;
  console_puts("lockup firmware: faulting inside HardFault now\n");
  __asm volatile("udf #0");
  console_puts("lockup firmware: still running, which is wrong\n");
  return 1;
}
