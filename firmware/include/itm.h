/* Writing to the ITM's stimulus ports (ARMv7-M ITM, 0xE0000000), as CMSIS's ITM_SendChar
 * does: nothing unless the ITM (TCR.ITMENA) and the port (TER) are on, else wait until
 * the FIFO takes the write (stimulus port reads FIFOREADY). The debugger sets the ITM up. */
#ifndef ITM_H
#define ITM_H
#include <stdint.h>

#define ITM_STIM32(n) (*(volatile uint32_t *)(0xE0000000u + 4u * (n)))
#define ITM_STIM8(n) (*(volatile uint8_t *)(0xE0000000u + 4u * (n)))
#define ITM_TER (*(volatile uint32_t *)0xE0000E00u)
#define ITM_TCR (*(volatile uint32_t *)0xE0000E80u)
#define ITM_TCR_ITMENA (1u << 0)
#define ITM_FIFOREADY (1u << 0)

static inline int itm_port_on(unsigned port) {
  return (ITM_TCR & ITM_TCR_ITMENA) && (ITM_TER & (1u << port));
}

static inline void itm_putc(unsigned port, char c) {
  if (!itm_port_on(port)) return;
  while (!(ITM_STIM32(port) & ITM_FIFOREADY)) {
  }
  ITM_STIM8(port) = (uint8_t)c;
}

static inline void itm_put32(unsigned port, uint32_t v) {
  if (!itm_port_on(port)) return;
  while (!(ITM_STIM32(port) & ITM_FIFOREADY)) {
  }
  ITM_STIM32(port) = v;
}

static inline void itm_puts(unsigned port, const char *s) {
  while (*s) itm_putc(port, *s++);
}

static inline void itm_udec(unsigned port, uint32_t v) {
  char buf[10];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  while (n) itm_putc(port, buf[--n]);
}

#endif
