/* ITM trace over SWO: every 10 ms of simulated time (SysTick, WFI between ticks) it
 * sends "itm-demo: line N\n" on stimulus port 0 (byte writes) and N*N on port 1 (one
 * word write). It never sets up the ITM or TPIU itself: a debugger does that (DEMCR.TRCENA,
 * the TPIU's protocol and prescaler, ITM TCR and TER), as with OpenOCD's `tpiu`/`itm`.
 * While the ITM or a port is off the line is skipped, and N counts only lines sent;
 * `itm_lines` is the number sent so far. Runs forever. */
#include "mps2.h"
#include "itm.h"


#define TICK_HZ 100u

volatile unsigned itm_lines;
static volatile uint32_t ticks;

void SysTick_Handler(void) { ticks++; }

int main(void) {
  SYST_RVR = MPS2_SYSCLK_HZ / TICK_HZ - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
  uint32_t seen = 0;
  for (;;) {
    while (ticks == seen) __asm volatile("wfi");
    seen = ticks;
    if (!itm_port_on(0)) continue;
    uint32_t n = itm_lines;
    itm_puts(0, "itm-demo: line ");
    itm_udec(0, n);
    itm_putc(0, '\n');
    itm_put32(1, n * n);
    itm_lines = n + 1;
  }
}
