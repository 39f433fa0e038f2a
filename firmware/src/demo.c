/* The demo `npm start` runs: a greeting on UART0, a count driven by SysTick
 * interrupts (one every 10 ms of simulated time), then exit status 0 through
 * semihosting. About 60 ms of simulated time; the core sleeps in WFI between ticks. */
#include "mps2.h"
#include "uart.h"
#include "console.h"
#include "semihost.h"

#define TICK_HZ 100u
#define COUNT_TO 5u

static volatile uint32_t ticks;

void SysTick_Handler(void) { ticks++; }

static const char *core_name(void) {
  switch ((SCB_CPUID >> 4) & 0xFFFu) { /* PARTNO */
    case 0xC23: return "Cortex-M3";
    case 0xC24: return "Cortex-M4";
    case 0xC27: return "Cortex-M7";
    default: return "an unknown core";
  }
}

int main(void) {
  uart_init();
  console_targets = TO_UART;
  console_puts("Hello from tsprobe's demo firmware on ");
  console_puts(core_name());
  console_puts(" (CPUID ");
  console_hex(SCB_CPUID);
  console_puts(")\n");

  SYST_RVR = MPS2_SYSCLK_HZ / TICK_HZ - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;

  for (uint32_t n = 1; n <= COUNT_TO; n++) {
    while (ticks < n) __asm volatile("wfi");
    console_puts("tick ");
    console_udec(n);
    console_puts(": ");
    console_udec(n * (1000u / TICK_HZ));
    console_puts(" ms of simulated time\n");
  }
  SYST_CSR = 0;
  console_puts("Counted to 5, exiting with status 0.\n");
  return 0;
}
