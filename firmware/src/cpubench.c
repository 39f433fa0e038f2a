/* A CPU-bound benchmark (bench/ runs it on the simulator and on QEMU): CRC-32, sorting,
 * integer matrix multiply, string search and 64-bit arithmetic, repeated
 * `cpubench_rounds` times. Prints a checksum per kernel and in total (the same on every
 * correct core), then exits 0. About 100 million instructions at the default rounds. */
#include <stdint.h>
#include "uart.h"
#include "console.h"

/* volatile: a benchmark may patch the count in the ELF or through a debugger. */
volatile uint32_t cpubench_rounds = 120;

static uint32_t rng_state = 0x2545f491u;
static uint32_t rng(void) { /* xorshift32 */
  uint32_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

/* CRC-32 (reflected, polynomial 0xEDB88320), bit by bit: shifts, XOR, branches. */
static uint8_t crc_data[4096];
static uint32_t crc32(const uint8_t *p, uint32_t n) {
  uint32_t crc = 0xffffffffu;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

/* Sorting: a non-recursive quicksort (Lomuto partition) with an insertion sort for
 * short ranges: loads, stores, compares, unpredictable branches. */
#define SORT_N 2048
static int32_t sort_data[SORT_N];
static void insertion_sort(int32_t *a, int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    int32_t v = a[i];
    int j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}
static void quicksort(int32_t *a, int n) {
  int stack[64];
  int sp = 0;
  stack[sp++] = 0;
  stack[sp++] = n - 1;
  while (sp) {
    int hi = stack[--sp], lo = stack[--sp];
    if (hi - lo < 16) {
      insertion_sort(a, lo, hi);
      continue;
    }
    int mid = lo + (hi - lo) / 2;
    int32_t pivot = a[mid];
    a[mid] = a[hi];
    a[hi] = pivot;
    int store = lo;
    for (int i = lo; i < hi; i++) {
      if (a[i] < pivot) {
        int32_t t = a[i];
        a[i] = a[store];
        a[store] = t;
        store++;
      }
    }
    a[hi] = a[store];
    a[store] = pivot;
    /* push the larger part first so the stack stays shallow */
    if (store - lo > hi - store) {
      stack[sp++] = lo;
      stack[sp++] = store - 1;
      stack[sp++] = store + 1;
      stack[sp++] = hi;
    } else {
      stack[sp++] = store + 1;
      stack[sp++] = hi;
      stack[sp++] = lo;
      stack[sp++] = store - 1;
    }
  }
}
static uint32_t sort_kernel(void) {
  for (int i = 0; i < SORT_N; i++) sort_data[i] = (int32_t)rng();
  quicksort(sort_data, SORT_N);
  uint32_t h = 0;
  for (int i = 0; i < SORT_N; i++) {
    if (i && sort_data[i - 1] > sort_data[i]) return 0xbad50127u; /* not sorted */
    h = h * 31u + (uint32_t)sort_data[i];
  }
  return h;
}

/* Integer matrix multiply: multiply-accumulate in a triple loop. */
#define MN 32
static int32_t ma[MN][MN], mb[MN][MN], mc[MN][MN];
static uint32_t matrix_kernel(void) {
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) {
      ma[i][j] = (int32_t)(rng() & 0xffff) - 0x8000;
      mb[i][j] = (int32_t)(rng() & 0xffff) - 0x8000;
    }
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) {
      int32_t s = 0;
      for (int k = 0; k < MN; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  uint32_t h = 0;
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) h = (h ^ (uint32_t)mc[i][j]) * 0x01000193u;
  return h;
}

/* String search: count occurrences of a few patterns in a text, naively. */
static char text[4096];
static uint32_t count_matches(const char *pat) {
  uint32_t n = 0, m = 0;
  while (pat[m]) m++;
  for (uint32_t i = 0; i + m <= sizeof text; i++) {
    uint32_t k = 0;
    while (k < m && text[i + k] == pat[k]) k++;
    if (k == m) n++;
  }
  return n;
}
static uint32_t search_kernel(void) {
  static const char alphabet[] = "abcdeabcab  ";
  for (uint32_t i = 0; i < sizeof text; i++) text[i] = alphabet[rng() % (sizeof alphabet - 1)];
  return count_matches("abc") * 1000003u + count_matches("cab a") * 1009u + count_matches("bb");
}

/* 64-bit arithmetic: multiply, divide (libgcc), shifts and carries. */
static uint32_t math64_kernel(void) {
  uint64_t acc = 0x0123456789abcdefull, h = 0;
  for (int i = 0; i < 512; i++) {
    uint64_t x = ((uint64_t)rng() << 32) | rng();
    acc = acc * 6364136223846793005ull + x;
    uint64_t d = (x >> 40) | 1u;
    h += acc / d + (acc % d);
    h ^= (h << 7) | (h >> 57);
    h -= (int64_t)acc >> (i & 31);
  }
  return (uint32_t)(h ^ (h >> 32));
}

static void report(const char *name, uint32_t v) {
  console_puts(name);
  console_hex(v);
  console_puts("\n");
}

int main(void) {
  uart_init();
  console_targets = TO_UART;
  for (uint32_t i = 0; i < sizeof crc_data; i++) crc_data[i] = (uint8_t)rng();
  uint32_t crc = 0, sort = 0, matrix = 0, search = 0, math = 0;
  uint32_t rounds = cpubench_rounds;
  for (uint32_t r = 0; r < rounds; r++) {
    crc_data[r % sizeof crc_data] ^= (uint8_t)r;
    crc = crc * 33u + crc32(crc_data, sizeof crc_data);
    sort ^= sort_kernel();
    matrix ^= matrix_kernel();
    search += search_kernel();
    math ^= math64_kernel();
  }
  console_puts("cpubench: ");
  console_udec(rounds);
  console_puts(" rounds\n");
  report("crc32   ", crc);
  report("sort    ", sort);
  report("matrix  ", matrix);
  report("search  ", search);
  report("math64  ", math);
  report("checksum ", crc ^ sort ^ matrix ^ search ^ math);
  return 0;
}
