#include "mps2.h"
#include "uart.h"

void uart_init(void) {
  UART_BAUDDIV(UART0_BASE) = MPS2_SYSCLK_HZ / 115200u; /* the CMSDK UART needs >= 16 */
  UART_CTRL(UART0_BASE) = UART_CTRL_TXEN | UART_CTRL_RXEN;
}

void uart_putc(char c) {
  while (UART_STATE(UART0_BASE) & UART_STATE_TXFULL) {
  }
  UART_DATA(UART0_BASE) = (uint8_t)c;
}

void uart_puts(const char *s) {
  while (*s) uart_putc(*s++);
}
