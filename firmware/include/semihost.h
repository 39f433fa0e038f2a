/* ARM semihosting (BKPT 0xAB on M profile): r0 = operation, r1 = argument. */
#ifndef SEMIHOST_H
#define SEMIHOST_H
#include <stdint.h>

#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR 0x20023u

uint32_t semihost_call(uint32_t op, const void *arg);
void semihost_write0(const char *s);
/* Exit with a status: 0 through SYS_EXIT (the A32/T32 form only says "success"),
 * anything else through SYS_EXIT_EXTENDED, which carries the status. */
__attribute__((noreturn)) void semihost_exit(uint32_t status);

#endif
