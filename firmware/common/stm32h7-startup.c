/* Start-up of the STM32H743/H750 programs: the vector table (16 system exceptions + 150
 * interrupt lines), .data copied from flash and .bss cleared, the FPU opened in builds
 * with it (WITH_FPU), then main(). A program defines SysTick_Handler; Default_Handler
 * (any other exception) spins unless the program has its own. */
#include <stdint.h>
#include "stm32h7.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t vector_table[16 + 150] = {
    (vector_t)__stack_top, Reset_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, 0, 0, 0, 0, Default_Handler, Default_Handler, 0, Default_Handler, SysTick_Handler,
    [16 ... 165] = Default_Handler,
};

void Reset_Handler(void) {
  volatile uint32_t *src = __data_load, *dst = __data_start;
  while (dst < __data_end) *dst++ = *src++;
  for (dst = __bss_start; dst < __bss_end;) *dst++ = 0;
#ifdef WITH_FPU
  SCB_CPACR |= 0xFu << 20; /* CP10 and CP11: full access */
  __asm volatile("dsb\n isb");
#endif
  main();
  for (;;) __asm volatile("wfi");
}

__attribute__((weak)) void Default_Handler(void) {
  for (;;) {
  }
}
