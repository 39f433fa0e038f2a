/* ITM trace over SWO: every 10 ms of simulated time (SysTick, WFI between ticks) it
 * sends "itm-demo: line N\n" on stimulus port 0 (byte writes) and N*N on port 1 (one
 * word write). It never sets up the ITM or TPIU itself: a debugger does that (DEMCR.TRCENA,
 * the TPIU's protocol and prescaler, ITM TCR and TER), as with OpenOCD's `tpiu`/`itm`.
 * While the ITM or a port is off the line is skipped, and N counts only lines sent;
 * `itm_lines` is the number sent so far. Runs forever. */
#include "mps2.h"

#define ITM_STIM(n) REG32(0xE0000000u + 4u * (n))
#define ITM_STIM8(n) (*(volatile uint8_t *)(0xE0000000u + 4u * (n)))
#define ITM_TER REG32(0xE0000E00u)
#define ITM_TCR REG32(0xE0000E80u)
#define ITM_TCR_ITMENA (1u << 0)
#define ITM_FIFOREADY (1u << 0)

#define TICK_HZ 100u

volatile unsigned itm_lines;
static volatile uint32_t ticks;

void SysTick_Handler(void) { ticks++; }

static int itm_port_on(unsigned port) {
  return (ITM_TCR & ITM_TCR_ITMENA) && (ITM_TER & (1u << port));
}

/* As CMSIS's ITM_SendChar: nothing unless enabled, else wait until the FIFO takes it. */
static void itm_putc(unsigned port, char c) {
  if (!itm_port_on(port)) return;
  while (!(ITM_STIM(port) & ITM_FIFOREADY)) {}
  ITM_STIM8(port) = (uint8_t)c;
}

static void itm_put32(unsigned port, uint32_t v) {
  if (!itm_port_on(port)) return;
  while (!(ITM_STIM(port) & ITM_FIFOREADY)) {}
  ITM_STIM(port) = v;
}

static void itm_puts(unsigned port, const char *s) {
  while (*s) itm_putc(port, *s++);
}

static void itm_udec(unsigned port, uint32_t v) {
  char buf[10];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  while (n) itm_putc(port, buf[--n]);
}

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
