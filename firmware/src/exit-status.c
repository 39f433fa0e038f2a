/* Exits with status 3 through SYS_EXIT_EXTENDED: for the CLI's exit-status tests. */
#include "uart.h"
#include "console.h"

int main(void) {
  uart_init();
  console_targets = TO_UART;
  console_puts("exit-status firmware: exiting with status 3\n");
  return 3;
}
