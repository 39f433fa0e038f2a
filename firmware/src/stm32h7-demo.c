/* The STM32H743/H750 demo: start-up as on the chip (voltage scale 1, HSE 25 MHz and
 * PLL1 to 400 MHz, flash latency for 200 MHz AXI), SysTick at 1 kHz, the DevEBox LED on
 * PA1 blinking (toggled every 100 ms), a greeting and a counter on USART1 (115200 8N1,
 * PA9/PA10) every 100 ms, and bytes received on USART1 echoed back; the USART text also
 * goes to ITM stimulus port 0 when a debugger has enabled it (SWO).
 * Built twice: demo.elf (integer only, soft-float ABI) and demo-fpu.elf
 * (-mfloat-abi=hard -mfpu=fpv5-d16, WITH_FPU), which also prints a double-precision
 * result each tick and needs the simulator's FPU; each tick it also calls fp_registers
 * (stm32h7-fp.S) on fp_x and fp_y, which fills d0-d15 with known values for debugger
 * tests. demo-fpu.elf on the stm32h743 is what `npm start` runs. The tick counter is the
 * global `counter`. Runs forever (no semihosting: a real chip without a debugger would
 * fault on BKPT). */
#include <stdint.h>
#include "stm32h7.h"
#include "itm.h"

#ifndef BOARD_NAME
#define BOARD_NAME "stm32h7"
#endif

#define CORE_HZ 400000000u
#define PCLK2_HZ 100000000u
#define BAUD 115200u

void Default_Handler(void);
void SysTick_Handler(void);

/* Anything unexpected: stay here with the LED lit (PA1 low). */
void Default_Handler(void) {
  GPIO_BSRR(GPIOA_BASE) = 1u << (16 + 1);
  for (;;) {
  }
}

static volatile uint32_t ms;
void SysTick_Handler(void) { ms++; }

static void clock_init(void) {
  /* Supply: LDO on (the supply configuration is written once after reset). */
  PWR_CR3 = (PWR_CR3 & ~PWR_CR3_SUPPLY_MASK) | PWR_CR3_LDOEN;
  while (!(PWR_CSR1 & PWR_CSR1_ACTVOSRDY)) {
  }
  /* Voltage scale 1 (VOS = 0b11). */
  PWR_D3CR = (PWR_D3CR & ~PWR_D3CR_VOS_MASK) | (3u << PWR_D3CR_VOS_SHIFT);
  while (!(PWR_D3CR & PWR_D3CR_VOSRDY)) {
  }
  /* HSE (25 MHz crystal on the DevEBox). */
  RCC_CR |= RCC_CR_HSEON;
  while (!(RCC_CR & RCC_CR_HSERDY)) {
  }
  /* PLL1: HSE / 5 = 5 MHz reference (range 4-8 MHz), x160 = 800 MHz VCO, P /2 = 400 MHz. */
  RCC_PLLCKSELR = (RCC_PLLCKSELR & ~0x3F3u) | (5u << 4) | 2u;
  RCC_PLLCFGR = (RCC_PLLCFGR & ~0xFu) | (2u << 2) | (1u << 16) | (1u << 17) | (1u << 18);
  RCC_PLL1DIVR = (159u << 0) | (1u << 9) | (3u << 16) | (1u << 24);
  RCC_CR |= RCC_CR_PLL1ON;
  while (!(RCC_CR & RCC_CR_PLL1RDY)) {
  }
  /* Bus dividers: AXI/AHB /2 (200 MHz), APB1-4 /2 (100 MHz). */
  RCC_D1CFGR = (8u << 0) | (4u << 4);
  RCC_D2CFGR = (4u << 4) | (4u << 8);
  RCC_D3CFGR = (4u << 4);
  /* Flash: 2 wait states, programming delay 2 for 200 MHz AXI at VOS1. */
  FLASH_ACR = (2u << 4) | 2u;
  while ((FLASH_ACR & 0xFu) != 2u) {
  }
  RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL1;
  while (((RCC_CFGR >> RCC_CFGR_SWS_SHIFT) & 7u) != RCC_CFGR_SW_PLL1) {
  }
}

/* Console output: USART1, and the same text on ITM stimulus port 0 while a debugger has
 * the ITM on (SWO trace, e.g. `tsprobe swo`); with the ITM off that costs two reads. */
static void putc_(char c) {
  while (!(USART_ISR(USART1_BASE) & USART_ISR_TXE)) {
  }
  USART_TDR(USART1_BASE) = (uint8_t)c;
  itm_putc(0, c);
}

static void puts_(const char *s) {
  while (*s) putc_(*s++);
}

static void put_udec(uint32_t v) {
  char buf[11];
  int i = 0;
  do {
    buf[i++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  while (i) putc_(buf[--i]);
}

static void put_hex(uint32_t v) {
  puts_("0x");
  for (int s = 28; s >= 0; s -= 4) putc_("0123456789abcdef"[(v >> s) & 0xFu]);
}

/* The ticks counted so far (one per 100 ms): a debugger sees it advance. */
volatile uint32_t counter;

#ifdef WITH_FPU
double fp_registers(double x, double y);
/* fp_registers' inputs (volatile so that the call is made with them as they are in
 * memory) and its last result. */
volatile double fp_x = 2.0, fp_y = 0.1, fp_result;

/* Double-precision work: the square root of 2 by Newton's method and pi by the
 * Nilakantha series, printed with nine decimals. */
__attribute__((noinline)) double fp_sqrt2(void) {
  double x = 1.0;
  for (int i = 0; i < 6; i++) x = 0.5 * (x + 2.0 / x);
  return x;
}

__attribute__((noinline)) double fp_pi(uint32_t terms) {
  double pi = 3.0, sign = 1.0;
  for (uint32_t k = 1; k <= terms; k++) {
    double n = 2.0 * k;
    pi += sign * 4.0 / (n * (n + 1.0) * (n + 2.0));
    sign = -sign;
  }
  return pi;
}

static void put_fixed9(double v) {
  uint32_t whole = (uint32_t)v;
  uint32_t frac = (uint32_t)((v - (double)whole) * 1e9 + 0.5);
  put_udec(whole);
  putc_('.');
  for (uint32_t d = 100000000u; d; d /= 10u) putc_((char)('0' + (frac / d) % 10u));
}
#endif

int main(void) {
  clock_init();

  RCC_AHB4ENR |= RCC_AHB4ENR_GPIOAEN;
  RCC_APB2ENR |= RCC_APB2ENR_USART1EN;
  (void)RCC_APB2ENR;
  /* PA1 output (LED, lit when low); PA9/PA10 alternate function 7 (USART1). */
  GPIO_BSRR(GPIOA_BASE) = 1u << 1; /* LED off */
  GPIO_MODER(GPIOA_BASE) = (GPIO_MODER(GPIOA_BASE) & ~((3u << 2) | (3u << 18) | (3u << 20))) | (1u << 2) | (2u << 18) | (2u << 20);
  GPIO_AFRH(GPIOA_BASE) = (GPIO_AFRH(GPIOA_BASE) & ~0xFF0u) | (7u << 4) | (7u << 8);
  USART_BRR(USART1_BASE) = (PCLK2_HZ + BAUD / 2u) / BAUD;
  USART_CR1(USART1_BASE) = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;

  SYST_RVR = CORE_HZ / 1000u - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;

  puts_("Hello from tsprobe's " BOARD_NAME " demo: DBGMCU IDCODE ");
  put_hex(DBGMCU_IDCODE);
  puts_(", CPUID ");
  put_hex(SCB_CPUID);
  puts_(", core at 400 MHz\r\n");

  uint32_t next = 100;
  for (;;) {
    while (ms < next) {
      if (USART_ISR(USART1_BASE) & USART_ISR_RXNE) {
        char c = (char)USART_RDR(USART1_BASE);
        puts_("echo: ");
        putc_(c);
        puts_("\r\n");
      }
      __asm volatile("wfi");
    }
    next += 100;
    uint32_t count = ++counter;
    GPIO_ODR(GPIOA_BASE) ^= 1u << 1;
    puts_("count ");
    put_udec(count);
    puts_(" at ");
    put_udec(ms);
    puts_(" ms");
#ifdef WITH_FPU
    puts_(", sqrt(2) = ");
    put_fixed9(fp_sqrt2());
    puts_(", pi ~ ");
    put_fixed9(fp_pi(count * 10u));
    fp_result = fp_registers(fp_x, fp_y);
#endif
    puts_("\r\n");
  }
}
