/* Printing to both UART0 and semihosting, with small number formatters
 * (no printf: fewer instructions to trace, nothing from libc). */
#ifndef CONSOLE_H
#define CONSOLE_H
#include <stdint.h>

/* Where console_* output goes. */
#define TO_UART 1u
#define TO_SEMIHOST 2u
extern unsigned console_targets;

void console_puts(const char *s);
void console_hex(uint32_t v);   /* 0x%08x */
void console_dec(int32_t v);    /* %d */
void console_udec(uint32_t v);  /* %u */
/* Format into buf (at least 12 bytes); returns buf. */
char *fmt_udec(char *buf, uint32_t v);
char *fmt_hex(char *buf, uint32_t v);
#endif
