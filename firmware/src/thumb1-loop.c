/* Runs the Thumb-1 loop (thumb1-loop.S) and prints its checksum. */
#include <stdint.h>
#include "uart.h"
#include "console.h"

uint32_t thumb1_loop(uint32_t iterations, uint32_t *scratch16);

/* volatile: a benchmark may patch the count in the ELF or through a debugger. */
volatile uint32_t thumb1_iterations = 1000000;
static uint32_t scratch[4];

int main(void) {
  uart_init();
  console_targets = TO_UART;
  uint32_t sum = thumb1_loop(thumb1_iterations, scratch);
  console_puts("thumb1-loop: ");
  console_udec(thumb1_iterations);
  console_puts(" iterations, checksum ");
  console_hex(sum);
  console_puts("\n");
  return 0;
}
