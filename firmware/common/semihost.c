#include "semihost.h"

/* The call itself: BKPT 0xAB with r0/r1; the host may write memory and returns r0. */
uint32_t semihost_call(uint32_t op, const void *arg) {
  register uint32_t r0 __asm("r0") = op;
  register const void *r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void semihost_write0(const char *s) { semihost_call(SYS_WRITE0, s); }

void semihost_exit(uint32_t status) {
  if (status == 0) {
    semihost_call(SYS_EXIT, (const void *)ADP_STOPPED_APPLICATION_EXIT);
  } else {
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, status};
    semihost_call(SYS_EXIT_EXTENDED, block);
    /* A host without SYS_EXIT_EXTENDED: at least report a failure. */
    semihost_call(SYS_EXIT, (const void *)ADP_STOPPED_RUNTIME_ERROR);
  }
  for (;;) __asm volatile("bkpt 0");
}
