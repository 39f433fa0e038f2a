/* RTT (Real-Time Transfer) demo: a control block `_SEGGER_RTT` in RAM that a debugger
 * finds by its id and then reads and writes with memory accesses only, while the core runs.
 * Written from the publicly documented layout of the block (32-bit target):
 *   char id[16]; int32 max_up; int32 max_down; then max_up up-buffer descriptors and
 *   max_down down-buffer descriptors, each { name, buffer, size, wr_off, rd_off, flags }.
 * One up buffer "Terminal" (1024 bytes, mode 2: block while full) and one down buffer
 * "Terminal" (64 bytes). Every 10 ms of simulated time (SysTick, WFI between ticks) it
 * reads the down buffer, answers each complete line L ('\r' ignored, cut at 48 bytes) with
 * "rtt-demo: echo L\n", then writes "rtt-demo: line N\n" (N from 0); `rtt_lines` counts
 * the "line N" lines written. Runs forever.
 *
 * The block lives in .bss (zero in the image) and its id is stored last, byte by byte from
 * two halves, once the descriptors are valid: the id text never appears anywhere else in
 * memory (on the MPS2 boards the program and its constants are in RAM too). */
#include "mps2.h"

#define TICK_HZ 100u
#define UP_SIZE 1024u
#define DOWN_SIZE 64u
#define ECHO_MAX 48u

#define MODE_BLOCK_IF_FULL 2u

struct rtt_buffer {
  const char *name;
  char *buffer;
  uint32_t size;
  volatile uint32_t wr_off;
  volatile uint32_t rd_off;
  uint32_t flags;
};

struct rtt_control_block {
  volatile char id[16];
  int32_t max_up;
  int32_t max_down;
  struct rtt_buffer up[1];
  struct rtt_buffer down[1];
};

struct rtt_control_block _SEGGER_RTT;
volatile unsigned rtt_lines;

static char up_data[UP_SIZE];
static char down_data[DOWN_SIZE];
static const char terminal[] = "Terminal";
/* The id in two halves; neither is the whole text. */
static const char id_head[] = "SEGG";
static const char id_tail[] = "ER RTT";

static volatile uint32_t ticks;

void SysTick_Handler(void) { ticks++; }

static inline void dmb(void) { __asm volatile("dmb" ::: "memory"); }

static void rtt_init(void) {
  struct rtt_control_block *cb = &_SEGGER_RTT;
  cb->max_up = 1;
  cb->max_down = 1;
  cb->up[0] = (struct rtt_buffer){terminal, up_data, UP_SIZE, 0, 0, MODE_BLOCK_IF_FULL};
  cb->down[0] = (struct rtt_buffer){terminal, down_data, DOWN_SIZE, 0, 0, 0};
  dmb();
  /* id[10..15] are zero already (.bss). The first byte goes last, so a debugger never
   * matches the id before the whole block is ready. */
  for (unsigned i = 0; id_tail[i]; i++) cb->id[4 + i] = id_tail[i];
  for (unsigned i = 1; id_head[i]; i++) cb->id[i] = id_head[i];
  dmb();
  cb->id[0] = id_head[0];
  dmb();
}

/* Write n bytes to up buffer 0, waiting (WFI) while it is full. */
static void rtt_write(const char *s, uint32_t n) {
  struct rtt_buffer *b = &_SEGGER_RTT.up[0];
  while (n) {
    uint32_t wr = b->wr_off;
    uint32_t rd = b->rd_off;
    /* Free bytes up to the end of the buffer (one slot always stays empty). */
    uint32_t room = rd > wr ? rd - wr - 1u : b->size - wr - (rd == 0 ? 1u : 0u);
    if (room == 0) {
      __asm volatile("wfi");
      continue;
    }
    if (room > n) room = n;
    for (uint32_t i = 0; i < room; i++) b->buffer[wr + i] = s[i];
    dmb(); /* the data before the new write offset */
    wr += room;
    if (wr == b->size) wr = 0;
    b->wr_off = wr;
    s += room;
    n -= room;
  }
}

static void rtt_puts(const char *s) {
  uint32_t n = 0;
  while (s[n]) n++;
  rtt_write(s, n);
}

static void rtt_udec(uint32_t v) {
  char buf[10];
  unsigned i = sizeof buf;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  rtt_write(buf + i, sizeof buf - i);
}

/* The line being received on down buffer 0 (cut at ECHO_MAX bytes). */
static char line[ECHO_MAX];
static uint32_t line_len;

/* Take what the host has written to down buffer 0; echo each complete line. */
static void rtt_poll_down(void) {
  struct rtt_buffer *b = &_SEGGER_RTT.down[0];
  uint32_t rd = b->rd_off;
  uint32_t wr = b->wr_off;
  dmb(); /* the data after its write offset */
  while (rd != wr) {
    char c = b->buffer[rd];
    rd = rd + 1u == b->size ? 0 : rd + 1u;
    if (c == '\r') continue;
    if (c == '\n') {
      rtt_puts("rtt-demo: echo ");
      rtt_write(line, line_len);
      rtt_write("\n", 1);
      line_len = 0;
    } else if (line_len < ECHO_MAX) {
      line[line_len++] = c;
    }
  }
  dmb(); /* done reading before the space is handed back */
  b->rd_off = rd;
}

int main(void) {
  rtt_init();
  SYST_RVR = MPS2_SYSCLK_HZ / TICK_HZ - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
  uint32_t seen = 0;
  for (;;) {
    while (ticks == seen) __asm volatile("wfi");
    seen = ticks;
    rtt_poll_down();
    uint32_t n = rtt_lines;
    rtt_puts("rtt-demo: line ");
    rtt_udec(n);
    rtt_write("\n", 1);
    rtt_lines = n + 1;
  }
}
