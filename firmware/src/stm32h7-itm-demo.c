/* ITM trace over SWO on the STM32H743/H750: on the HSI clock as after reset (64 MHz, no
 * PLL set-up), SysTick every 10 ms (WFI between ticks); on each tick, if the ITM is on
 * (TCR.ITMENA) and stimulus port 0 is enabled (TER bit 0), it sends "h7-itm: line N\n"
 * on port 0 with byte writes, waiting on FIFOREADY before each. It never sets up the
 * ITM, the SWO unit, the SWO trace funnel (SWTF) or DBGMCU_CR.TRACECLKEN: a debugger does
 * that, as OpenOCD's stm32h7x.cfg with its `swo` object and `itm` commands. N counts only
 * lines sent; `itm_lines` is the number sent so far and `ticks` the SysTick count (it
 * advances whether or not trace is on). Runs forever (no semihosting). */
#include <stdint.h>
#include "stm32h7.h"
#include "itm.h"

#define HSI_HZ 64000000u
#define TICK_HZ 100u


void SysTick_Handler(void);

volatile unsigned itm_lines;
volatile uint32_t ticks;

void SysTick_Handler(void) { ticks++; }

int main(void) {
  /* SysTick on the processor clock (HSI, 64 MHz after reset): 10 ms ticks. */
  SYST_RVR = HSI_HZ / TICK_HZ - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
  uint32_t seen = 0;
  for (;;) {
    while (ticks == seen) __asm volatile("wfi");
    seen = ticks;
    if (!itm_port_on(0)) continue;
    uint32_t n = itm_lines;
    itm_puts(0, "h7-itm: line ");
    itm_udec(0, n);
    itm_putc(0, '\n');
    itm_lines = n + 1;
  }
}
