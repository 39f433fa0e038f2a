#include "console.h"
#include "semihost.h"
#include "uart.h"

unsigned console_targets = TO_UART | TO_SEMIHOST;

void console_puts(const char *s) {
  if (console_targets & TO_UART) uart_puts(s);
  if (console_targets & TO_SEMIHOST) semihost_write0(s);
}

char *fmt_udec(char *buf, uint32_t v) {
  char tmp[11];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = 0;
  return buf;
}

char *fmt_hex(char *buf, uint32_t v) {
  buf[0] = '0';
  buf[1] = 'x';
  for (int i = 0; i < 8; i++) buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15u];
  buf[10] = 0;
  return buf;
}

void console_udec(uint32_t v) {
  char buf[12];
  console_puts(fmt_udec(buf, v));
}

void console_dec(int32_t v) {
  char buf[13];
  if (v < 0) {
    buf[0] = '-';
    fmt_udec(buf + 1, 0u - (uint32_t)v);
  } else {
    fmt_udec(buf, (uint32_t)v);
  }
  console_puts(buf);
}

void console_hex(uint32_t v) {
  char buf[12];
  console_puts(fmt_hex(buf, v));
}
