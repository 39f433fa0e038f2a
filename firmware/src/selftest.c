/* The CPU self-test: the same source is built at -O0, -O2 and -Os, run on QEMU and on
 * the simulator, and compared instruction by instruction (test/oracle). It also
 * checks its own results, prints them on UART0 and semihosting, and exits with the
 * number of failed checks (0: all passed).
 *
 * Everything here is deterministic in instructions executed: nothing depends on how
 * fast time passes, except the SysTick wait, which polls with interrupts masked so the
 * interrupt is taken at a fixed place (see test_systick). */
#include <stdint.h>
#include "mps2.h"
#include "uart.h"
#include "console.h"
#include "semihost.h"

/* ---- checking ---------------------------------------------------------------- */

static uint32_t checks, failures;

static void check(const char *what, uint32_t got, uint32_t want) {
  checks++;
  if (got == want) return;
  failures++;
  console_puts("FAIL ");
  console_puts(what);
  console_puts(": got ");
  console_hex(got);
  console_puts(", want ");
  console_hex(want);
  console_puts("\n");
}

static void check64(const char *what, uint64_t got, uint64_t want) {
  check(what, (uint32_t)(got >> 32), (uint32_t)(want >> 32));
  check(what, (uint32_t)got, (uint32_t)want);
}

static void group_done(const char *name, uint32_t failures_before) {
  console_puts(name);
  console_puts(failures == failures_before ? ": ok\n" : ": FAILED\n");
}

/* Hide a value from the optimiser so the instruction under test is really executed. */
static inline uint32_t opaque(uint32_t x) {
  __asm volatile("" : "+r"(x));
  return x;
}
static inline uint64_t opaque64(uint64_t x) {
  __asm volatile("" : "+r"(x));
  return x;
}

/* ---- integer arithmetic ------------------------------------------------------- */

static void test_arith(void) {
  uint32_t f0 = failures;
  uint32_t a = opaque(0x12345678), b = opaque(0x9abcdef0), s = opaque(5);
  int32_t m = (int32_t)opaque(0xfffffff9); /* -7 */
  check("add", a + b, 0xacf13568);
  check("sub", a - b, 0x77777788);
  check("rsb", 100 - a, 0xedcba9ec);
  check("mul", a * b, 0x242d2080);
  check("mla", a * b + s, 0x242d2085);
  check("mls", s - a * b, 0xdbd2df85);
  check("and", a & b, 0x12345670);
  check("orr", a | b, 0x9abcdef8);
  check("eor", a ^ b, 0x88888888);
  check("bic", a & ~b, 0x00000008);
  check("orn", a | ~b, 0x7777777f);
  check("mvn", ~a, 0xedcba987);
  check("lsl imm", a << 4, 0x23456780);
  check("lsr imm", b >> 12, 0x0009abcd);
  check("asr imm", (uint32_t)((int32_t)b >> 12), 0xfff9abcd);
  check("lsl reg", a << s, 0x468acf00);
  check("lsr reg", b >> s, 0x04d5e6f7);
  check("asr reg", (uint32_t)((int32_t)b >> s), 0xfcd5e6f7);
  check("ror", (a >> s) | (a << (32 - s)), 0xc091a2b3);
  uint32_t big = opaque(40), r;
  __asm volatile("lsl %0, %1, %2" : "=r"(r) : "r"(a), "r"(big));
  check("lsl by 40", r, 0);
  __asm volatile("asr %0, %1, %2" : "=r"(r) : "r"(b), "r"(big));
  check("asr by 40", r, 0xffffffff);
  __asm volatile("ror %0, %1, %2" : "=r"(r) : "r"(a), "r"(big));
  check("ror by 40", r, 0x78123456);
  __asm volatile("msr APSR_nzcvq, %2\n rrx %0, %1" : "=r"(r) : "r"(a), "r"(opaque(0x20000000)) : "cc");
  check("rrx with C set", r, 0x891a2b3c);
  check("neg", (uint32_t)-m, 7);
  check("sdiv-free div by 8", (uint32_t)(m / 8), 0);
  check("asr of negative", (uint32_t)(m >> 1), 0xfffffffc);
  check("clz", (uint32_t)__builtin_clz(opaque(0x00f00000)), 8);
  __asm volatile("rbit %0, %1" : "=r"(r) : "r"(a));
  check("rbit", r, 0x1e6a2c48);
  check("rev", __builtin_bswap32(a), 0x78563412);
  __asm volatile("rev16 %0, %1" : "=r"(r) : "r"(a));
  check("rev16", r, 0x34127856);
  __asm volatile("revsh %0, %1" : "=r"(r) : "r"(opaque(0x000080ff)));
  check("revsh", r, 0xffffff80);
  __asm volatile("ssat %0, #8, %1" : "=r"(r) : "r"(opaque(300)));
  check("ssat", r, 127);
  __asm volatile("usat %0, #8, %1" : "=r"(r) : "r"(m));
  check("usat", r, 0);
  uint32_t apsr = opaque(0);
  __asm volatile("msr APSR_nzcvq, %1\n ssat %0, #4, %2\n mrs %1, APSR" : "=r"(r), "+r"(apsr) : "r"(opaque(100)) : "cc");
  check("ssat sets Q", apsr & 0xf8000000, 0x08000000);
  /* Flags from comparisons: signed and unsigned. */
  check("signed lt", (int32_t)a < m, 0);
  check("unsigned lt", a < (uint32_t)m, 1);
  int32_t ovf;
  check("add overflow", __builtin_add_overflow((int32_t)opaque(0x7fffffff), 1, &ovf), 1);
  check("sub overflow", __builtin_sub_overflow((int32_t)opaque(0x80000000), 1, &ovf), 1);
  uint32_t uo;
  check("unsigned add carry", __builtin_add_overflow(opaque(0xffffffff), 2u, &uo), 1);
  /* Flags straight from the APSR after a flag-setting instruction. */
  __asm volatile("adds %0, %2, %3\n mrs %1, APSR" : "=r"(r), "=r"(apsr) : "r"(opaque(0x80000000)), "r"(opaque(0x80000000)) : "cc");
  check("adds 0x80000000+0x80000000 flags", apsr >> 28, 0x7); /* Z C V */
  __asm volatile("subs %0, %2, %3\n mrs %1, APSR" : "=r"(r), "=r"(apsr) : "r"(opaque(3)), "r"(opaque(5)) : "cc");
  check("subs 3-5 flags", apsr >> 28, 0x8); /* N, borrow so C = 0 */
  __asm volatile("cmp %1, %2\n mrs %0, APSR" : "=r"(apsr) : "r"(opaque(5)), "r"(opaque(5)) : "cc");
  check("cmp equal flags", apsr >> 28, 0x6); /* Z C */
  __asm volatile("movs %0, %2, lsl #1\n mrs %1, APSR" : "=r"(r), "=r"(apsr) : "r"(opaque(0x80000001)) : "cc");
  check("lsls carry out", apsr >> 28, 0x2);
  group_done("integer arithmetic", f0);
}

/* ---- 64-bit ------------------------------------------------------------------- */

static void test_64bit(void) {
  uint32_t f0 = failures;
  uint64_t x = opaque64(0x0123456789abcdefull), y = opaque64(0xfedcba9876543210ull);
  int64_t n = (int64_t)opaque64((uint64_t)-1234567890123ll);
  check64("add64", x + y, 0xffffffffffffffffull);
  check64("sub64", y - x, 0xfdb97530eca86421ull);
  check64("mul64", x * y, 0x2236d88fe5618cf0ull);
  check64("umull", (uint64_t)opaque(0xfffffffe) * opaque(0xfffffffd), 0xfffffffb00000006ull);
  check64("smull", (uint64_t)((int64_t)(int32_t)opaque(0x80000000) * (int32_t)opaque(0x7fffffff)), 0xc000000080000000ull);
  uint32_t lo = opaque(1), hi = opaque(2);
  __asm volatile("umlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(opaque(0xffffffff)), "r"(opaque(0xffffffff)));
  check64("umlal", ((uint64_t)hi << 32) | lo, 0x0000000000000002ull); /* 0x2_00000001 + 0xfffffffe_00000001, mod 2^64 */
  lo = opaque(0), hi = opaque(0);
  __asm volatile("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(opaque(0xfffffffe)), "r"(opaque(3)));
  check64("smlal", ((uint64_t)hi << 32) | lo, (uint64_t)-6ll);
  check64("udiv64", x / opaque64(12345), 0x0000060a45f5207dull);
  check64("umod64", x % opaque64(12345), 0x221a);
  check64("sdiv64", (uint64_t)(n / (int64_t)opaque64(1000)), (uint64_t)-1234567890ll);
  check64("smod64", (uint64_t)(n % (int64_t)opaque64(1000)), (uint64_t)-123ll);
  uint32_t s = opaque(36);
  check64("lsl64", x << s, 0x9abcdef000000000ull);
  check64("lsr64", y >> s, 0x000000000fedcba9ull);
  check64("asr64", (uint64_t)(n >> s), 0xffffffffffffffeeull);
  check("cmp64 unsigned", x < y, 1);
  check("cmp64 signed", n < (int64_t)x, 1);
  group_done("64-bit arithmetic", f0);
}

/* ---- division ------------------------------------------------------------------- */

/* Set by fixup_fault: what the last handled fault was. */
static volatile uint32_t fault_expected, fault_count, fault_ipsr, fault_cfsr, fault_hfsr, fault_bfar;

/* The ISB before each divide works around a QEMU 7.2 bug: its divide helpers are
 * declared as not touching CPU registers, so when one raises the DIVBYZERO
 * UsageFault, register writes made earlier in the same translation block are lost
 * (seen without -singlestep). ISB ends the block, so the divide starts a new one. */
static uint32_t sdiv(uint32_t init, int32_t a, int32_t b) {
  uint32_t r = init;
  __asm volatile("isb\n sdiv %0, %1, %2" : "+r"(r) : "r"(a), "r"(b));
  return r;
}
static uint32_t udiv(uint32_t init, uint32_t a, uint32_t b) {
  uint32_t r = init;
  __asm volatile("isb\n udiv %0, %1, %2" : "+r"(r) : "r"(a), "r"(b));
  return r;
}

static void test_division(void) {
  uint32_t f0 = failures;
  check("udiv", opaque(100000) / opaque(7), 14285);
  check("sdiv", (uint32_t)((int32_t)opaque(0xfffe7960) / (int32_t)opaque(7)), (uint32_t)-14285);
  check("sdiv rounds to zero", (uint32_t)((int32_t)opaque((uint32_t)-7) / (int32_t)opaque(2)), (uint32_t)-3);
  check("urem", opaque(100000) % opaque(7), 5);
  check("srem", (uint32_t)((int32_t)opaque((uint32_t)-100000) % (int32_t)opaque(7)), (uint32_t)-5);
  check("sdiv INT_MIN/-1", sdiv(0, (int32_t)0x80000000, -1), 0x80000000);
  /* CCR.DIV_0_TRP off: division by zero gives 0. */
  SCB_CCR &= ~CCR_DIV_0_TRP;
  check("udiv by 0, no trap", udiv(0xdead, 5, opaque(0)), 0);
  check("sdiv by 0, no trap", sdiv(0xdead, -5, (int32_t)opaque(0)), 0);
  /* DIV_0_TRP on: a UsageFault (DIVBYZERO) the handler steps over; the destination
   * register keeps its old value. */
  SCB_SHCSR |= SHCSR_USGFAULTENA;
  SCB_CCR |= CCR_DIV_0_TRP;
  dsb();
  isb();
  fault_expected = 1;
  uint32_t before = fault_count;
  check("udiv by 0, trap: register untouched", udiv(0xbeef, 5, opaque(0)), 0xbeef);
  check("udiv by 0, trap: one fault", fault_count - before, 1);
  check("udiv by 0, trap: UsageFault", fault_ipsr, 6);
  check("udiv by 0, trap: CFSR.DIVBYZERO", fault_cfsr, CFSR_DIVBYZERO);
  check("sdiv by 0, trap", sdiv(0xcafe, 9, (int32_t)opaque(0)), 0xcafe);
  check("div by non-zero, trap on", udiv(0, 9, opaque(3)), 3);
  check("faults so far", fault_count - before, 2);
  fault_expected = 0;
  SCB_CCR &= ~CCR_DIV_0_TRP;
  group_done("division", f0);
}

/* ---- bitfields ------------------------------------------------------------------ */

struct packed_bits {
  uint32_t a : 3;
  int32_t b : 5;
  uint32_t c : 12;
  int32_t d : 12;
};

static void test_bitfields(void) {
  uint32_t f0 = failures;
  volatile struct packed_bits p = {0};
  p.a = opaque(13);                  /* wraps to 5 */
  p.b = (int32_t)opaque((uint32_t)-9);
  p.c = opaque(0xabc);
  p.d = (int32_t)opaque((uint32_t)-2048);
  struct packed_bits q = p;
  uint32_t raw;
  __builtin_memcpy(&raw, &q, 4);
  check("bitfield a", q.a, 5);
  check("bitfield b sign", (uint32_t)q.b, (uint32_t)-9);
  check("bitfield c", q.c, 0xabc);
  check("bitfield d sign", (uint32_t)q.d, (uint32_t)-2048);
  check("bitfield word", raw, 0x800abcbd);
  p.b = p.b + 20; /* -9 + 20 = 11 */
  check("bitfield b update", (uint32_t)p.b, 11);
  uint32_t r = opaque(0xffffffff);
  __asm volatile("bfc %0, #4, #8" : "+r"(r));
  check("bfc", r, 0xfffff00f);
  __asm volatile("bfi %0, %1, #8, #4" : "+r"(r) : "r"(opaque(0x5a)));
  check("bfi", r, 0xfffffa0f);
  __asm volatile("ubfx %0, %1, #4, #8" : "=r"(r) : "r"(opaque(0x12345678)));
  check("ubfx", r, 0x67);
  __asm volatile("sbfx %0, %1, #4, #8" : "=r"(r) : "r"(opaque(0x12345f78)));
  check("sbfx", r, 0xfffffff7);
  group_done("bitfields", f0);
}

/* ---- loads and stores ----------------------------------------------------------- */

static uint32_t words[32];
static uint8_t bytes[64] __attribute__((aligned(8)));
static const uint32_t rom_table[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};

void asm_ldm_stm(uint32_t *buf);

static void test_loads_stores(void) {
  uint32_t f0 = failures;
  uint32_t *w = words, r, r2;
  for (int i = 0; i < 64; i++) bytes[i] = (uint8_t)(i * 7 + 1);
  /* every size, signed and unsigned */
  check("ldrb", *(volatile uint8_t *)&bytes[opaque(37)], (uint8_t)(37 * 7 + 1));
  check("ldrsb", (uint32_t)*(volatile int8_t *)&bytes[opaque(37)], 0x04);
  check("ldrsb negative", (uint32_t)*(volatile int8_t *)&bytes[opaque(20)], 0xffffff8d);
  check("ldrh", *(volatile uint16_t *)&bytes[opaque(20)], 0x948d);
  check("ldrsh", (uint32_t)*(volatile int16_t *)&bytes[opaque(20)], 0xffff948d);
  check("ldr", *(volatile uint32_t *)&bytes[opaque(4)], 0x322b241d);
  *(volatile uint8_t *)&bytes[opaque(1)] = (uint8_t)opaque(0x1ff);
  *(volatile uint16_t *)&bytes[opaque(2)] = (uint16_t)opaque(0x12345);
  check("strb/strh", *(volatile uint32_t *)&bytes[0], 0x2345ff01);
  /* addressing modes, each written out so every optimisation level has them */
  uint32_t *p = w + 8;
  __asm volatile("str %2, [%0, #-4]!\n ldr %1, [%0]" : "+r"(p), "=r"(r) : "r"(opaque(0xa1)) : "memory");
  check("pre-index writeback", (uint32_t)(p - w), 7);
  check("pre-index value", r, 0xa1);
  __asm volatile("str %2, [%0], #8\n ldr %1, [%0, #-8]" : "+r"(p), "=r"(r) : "r"(opaque(0xa2)) : "memory");
  check("post-index writeback", (uint32_t)(p - w), 9);
  check("post-index value", r, 0xa2);
  __asm volatile("str %2, [%1, %3, lsl #2]\n ldr %0, [%1, %3, lsl #2]" : "=&r"(r) : "r"(w), "r"(opaque(0xa3)), "r"(opaque(12)) : "memory");
  check("register offset lsl #2", w[12], 0xa3);
  __asm volatile("strh %2, [%1, %3]\n ldrsh %0, [%1, %3]" : "=&r"(r) : "r"(w), "r"(opaque(0x8001)), "r"(opaque(2)) : "memory");
  check("ldrsh register offset", r, 0xffff8001);
  __asm volatile("strb %2, [%1, #255]\n ldrb %0, [%1, #255]" : "=&r"(r) : "r"((uint32_t)bytes - 250), "r"(opaque(0x3c)) : "memory");
  check("12-bit immediate offset", r, 0x3c);
  __asm volatile("ldrb %0, [%1, #-3]" : "=r"(r) : "r"(&bytes[10]));
  check("negative 8-bit offset", r, 7 * 7 + 1);
  words[9] = opaque(0xf0);
  __asm volatile("ldrsb %0, [%1], #1" : "=r"(r), "+r"(p) : : "memory");
  check("ldrsb post-index value", r, 0xfffffff0);
  check("ldrsb post-index writeback", (uint32_t)p - (uint32_t)w, 37);
  uint32_t lo = opaque(0xd1), hi = opaque(0xd2);
  __asm volatile("strd %2, %3, [%4, #8]\n ldrd %0, %1, [%4, #8]" : "=&r"(r), "=&r"(r2) : "r"(lo), "r"(hi), "r"(w) : "memory");
  check("strd", words[2] * 256 + words[3], 0xd1d2);
  check("ldrd", r * 256 + r2, 0xd1d2);
  uint64_t *dp = (uint64_t *)&words[16];
  __asm volatile("strd %1, %2, [%0, #8]!" : "+r"(dp) : "r"(opaque(0x5)), "r"(opaque(0x6)) : "memory");
  check("strd pre-index writeback", words[18] * 16 + words[19], 0x56);
  check("strd writeback address", (uint32_t)dp - (uint32_t)words, 72);
  __asm volatile("ldrd %0, %1, [%2], #-8" : "=&r"(r), "=&r"(r2), "+r"(dp) : : "memory");
  check("ldrd post-index", r * 16 + r2 + ((uint32_t)dp - (uint32_t)words), 0x56 + 64);
  __asm volatile("ldr %0, =0x7e57c0de" : "=r"(r));
  check("ldr literal", r, 0x7e57c0de);
  check("ldr from rodata", rom_table[opaque(2)], 0x33333333);
  __asm volatile("ldrt %0, [%1, #4]" : "=r"(r) : "r"(rom_table));
  check("ldrt (privileged thread: like ldr)", r, 0x22222222);
  /* unaligned word and halfword accesses are allowed on ARMv7-M (UNALIGN_TRP off) */
  check("unaligned ldr", *(volatile uint32_t *)&bytes[opaque(13)], 0x716a635c);
  *(volatile uint32_t *)&bytes[opaque(33)] = opaque(0xc0ffee11);
  check("unaligned str", *(volatile uint16_t *)&bytes[opaque(35)], 0xc0ff);
  /* LDM/STM/PUSH/POP, from assembly */
  words[19] = 0x1919;
  words[21] = 0x2121;
  words[22] = 0x2222;
  asm_ldm_stm(words);
  static const uint32_t want[27] = {1, 2, 3, 4, 5, 6, 7, 1, 3, 8, 9, 10, 11, 9, 10, 11, 52, 8, 60, 0x1919, 80, 0x2121, 0x2222, 8, 9, 0x2222, 0x2121};
  uint32_t bad = 0;
  for (int i = 0; i < 27; i++) bad |= (words[i] != want[i]) << (i & 31);
  check("ldm/stm/push/pop results (bit = wrong word)", bad, 0);
  /* struct copies make the compiler use LDM/STM itself */
  struct {
    uint32_t v[6];
  } s1 = {{1, 2, 3, 4, 5, 6}}, s2;
  s1.v[opaque(3)] = 40;
  s2 = s1;
  check("struct copy", s2.v[0] + s2.v[3] + s2.v[5], 47);
  group_done("loads and stores", f0);
}

/* ---- IT blocks and conditional code ------------------------------------------- */

static int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

static void test_it_blocks(void) {
  uint32_t f0 = failures;
  int32_t v = (int32_t)opaque(1234);
  check("clamp hi", (uint32_t)clamp(v, 0, 1000), 1000);
  check("clamp lo", (uint32_t)clamp(-v, 0, 1000), 0);
  check("clamp mid", (uint32_t)clamp(v, 0, 2000), 1234);
  uint32_t r, a = opaque(5), b = opaque(9);
  __asm volatile(
      "cmp %1, %2\n"
      "ite lt\n"
      "movlt %0, #1\n"
      "movge %0, #2\n"
      : "=r"(r) : "r"(a), "r"(b) : "cc");
  check("ite lt", r, 1);
  __asm volatile(
      "movs %0, #0\n"
      "cmp %1, %2\n"
      "itete gt\n"
      "addgt %0, #1\n"
      "addle %0, #2\n"
      "addgt %0, #4\n"
      "addle %0, #8\n"
      : "=&r"(r) : "r"(a), "r"(b) : "cc");
  check("itete gt", r, 10);
  /* 16-bit flag-setting forms do not set flags inside an IT block */
  __asm volatile(
      "movs %0, #0\n"      /* Z = 1 */
      "it eq\n"
      "addeq %0, %0, #0\n" /* ADD (no flags) in IT: Z stays 1 */
      "ite eq\n"
      "moveq %0, #7\n"
      "movne %0, #9\n"
      : "=&r"(r) : : "cc");
  check("flags kept inside IT", r, 7);
  /* a conditional branch out of the last IT slot */
  __asm volatile(
      "movs %0, #1\n"
      "cmp %1, %1\n"
      "itt eq\n"
      "moveq %0, #3\n"
      "beq 1f\n"
      "movs %0, #4\n"
      "1:\n"
      : "=&r"(r) : "r"(a) : "cc");
  check("branch as last IT instruction", r, 3);
  uint32_t count = 0;
  for (uint32_t i = 0; i < opaque(20); i++) count += (i & 3) == 1 ? i : 0;
  check("conditional accumulate", count, 1 + 5 + 9 + 13 + 17);
  group_done("IT blocks", f0);
}

/* ---- switch tables ---------------------------------------------------------------- */

uint32_t asm_tbb(uint32_t i);
uint32_t asm_tbh(uint32_t i);
uint32_t asm_tbb_reg(const void *unused, uint32_t i);

static uint32_t __attribute__((noinline)) dense_switch(uint32_t op, uint32_t x) {
  /* Dense cases with distinct bodies: -O2 emits TBB (a jump table) for this. */
  switch (op) {
    case 0: return x + 3;
    case 1: return x * 5;
    case 2: return x ^ 0x55;
    case 3: return x >> 2;
    case 4: return x - 17;
    case 5: return x | 0x100;
    case 6: return ~x;
    case 7: return x << 3;
    case 8: return x * x;
    case 9: return x & 0xf0;
    case 10: return x + (x >> 1);
    default: return 0;
  }
}

static void test_switch(void) {
  uint32_t f0 = failures, sum = 0;
  for (uint32_t op = 0; op < opaque(12); op++) sum = sum * 3 + dense_switch(op, 100 + op);
  check("dense switch", sum, 0x02fba754u);
  check("tbb 0", asm_tbb(opaque(0)), 11);
  check("tbb 4", asm_tbb(opaque(4)), 55);
  check("tbb out of range", asm_tbb(opaque(9)), 0);
  check("tbh 0", asm_tbh(opaque(0)), 1001);
  check("tbh 1", asm_tbh(opaque(1)), 2002);
  check("tbh 2", asm_tbh(opaque(2)), 3003);
  check("tbb with register base", asm_tbb_reg(0, opaque(2)), 21);
  group_done("switch tables", f0);
}

/* ---- exceptions ------------------------------------------------------------------- */

void fault_report(struct exception_frame *frame, uint32_t exc_return);
void run_on_psp(void (*fn)(void), uint32_t *stack_top);

static volatile uint8_t order[16];
static volatile uint32_t norder;
static volatile uint32_t svc_exc_return, systick_count;

static void note(uint8_t what) {
  if (norder < sizeof order) order[norder] = what;
  norder++;
}

/* Faults the test provokes on purpose: note them, clear the status, step over the
 * faulting instruction. An unexpected one is reported and ends the test. */
void fixup_fault(struct exception_frame *frame, uint32_t exc_return) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  if (!fault_expected) fault_report(frame, exc_return);
  fault_count++;
  fault_ipsr = ipsr;
  fault_cfsr = SCB_CFSR;
  fault_hfsr = SCB_HFSR;
  fault_bfar = SCB_BFAR;
  SCB_CFSR = fault_cfsr; /* write 1 to clear */
  SCB_HFSR = fault_hfsr;
  uint16_t hw = *(const uint16_t *)frame->pc;
  frame->pc += (hw & 0xf800u) >= 0xe800u ? 4 : 2;
}

/* SVC #imm: 0 adds r0 and r1 (result in the caller's r0), 1 pends PendSV. */
void svc_dispatch(struct exception_frame *frame, uint32_t exc_return) {
  uint32_t imm = *(const uint16_t *)(frame->pc - 2) & 0xffu;
  svc_exc_return = exc_return;
  note((uint8_t)(0x10 + imm));
  if (imm == 0) frame->r0 = frame->r0 + frame->r1;
  if (imm == 1) {
    SCB_ICSR = ICSR_PENDSVSET; /* lower priority: runs after this handler returns */
    note(0x1f);
  }
}

void PendSV_Handler(void) { note(0x20); }

void SysTick_Handler(void) {
  systick_count++;
  note(0x30);
}

static uint32_t svc_add(uint32_t a, uint32_t b) {
  register uint32_t r0 __asm("r0") = a;
  register uint32_t r1 __asm("r1") = b;
  __asm volatile("svc #0" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static uint32_t psp_result, psp_seen_sp;
static uint32_t process_stack[128] __attribute__((aligned(8)));

static void on_process_stack(void) {
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  psp_seen_sp = sp;
  psp_result = svc_add(40, 2);
}

/* How many polls this takes depends on how fast time passes (on QEMU: the host
 * clock), so the differential test treats this function as opaque (by its name). */
static void __attribute__((noinline)) wait_for_systick_countflag(void) {
  while (!(SYST_CSR & SYST_CSR_COUNTFLAG)) {
  }
}

static void test_exceptions(void) {
  uint32_t f0 = failures;
  /* priorities: SVC 0x40, PendSV and SysTick 0xC0 (lowest) */
  SCB_SHPR2 = 0x40u << 24;
  SCB_SHPR3 = (0xc0u << 24) | (0xc0u << 16);
  norder = 0;
  check("svc #0 result", svc_add(1234, 4321), 5555);
  check("svc from MSP: EXC_RETURN", svc_exc_return, 0xfffffff9);
  /* SVC pends PendSV, which tail-chains after the SVC handler */
  __asm volatile("svc #1" ::: "memory");
  check("svc then pendsv order", (uint32_t)order[1] << 16 | (uint32_t)order[2] << 8 | order[3], 0x111f20);
  /* BASEPRI holds PendSV back until it is lowered */
  norder = 0;
  uint32_t bp = 0x80;
  __asm volatile("msr basepri, %0" ::"r"(bp) : "memory");
  SCB_ICSR = ICSR_PENDSVSET;
  dsb();
  isb();
  check("pendsv masked by basepri", norder, 0);
  check("pendsv pending in ICSR", (SCB_ICSR >> 28) & 1u, 1);
  bp = 0;
  __asm volatile("msr basepri, %0\n isb" ::"r"(bp) : "memory");
  check("pendsv taken after basepri lowered", norder, 1);
  /* PRIMASK: SysTick expires while masked; the interrupt is taken at cpsie */
  norder = 0;
  irq_disable();
  SYST_RVR = 99;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
  wait_for_systick_countflag();
  SYST_CSR = 0;
  check("systick held by primask", systick_count, 0);
  irq_enable();
  isb();
  check("systick taken at cpsie", systick_count, 1);
  /* thread mode on the process stack, SVC from there */
  run_on_psp(on_process_stack, process_stack + 128);
  check("psp: sp inside process stack", psp_seen_sp - (uint32_t)process_stack - 1 < sizeof process_stack, 1);
  check("psp: svc result", psp_result, 42);
  check("svc from PSP: EXC_RETURN", svc_exc_return, 0xfffffffd);
  /* UsageFault: undefined instruction, stepped over */
  SCB_SHCSR |= SHCSR_USGFAULTENA | SHCSR_BUSFAULTENA;
  fault_expected = 1;
  uint32_t before = fault_count;
  __asm volatile("udf #7" ::: "memory");
  check("udf: UsageFault", fault_ipsr, 6);
  check("udf: UNDEFINSTR", fault_cfsr, CFSR_UNDEFINSTR);
  /* UNALIGN_TRP: an unaligned word load faults */
  SCB_CCR |= CCR_UNALIGN_TRP;
  dsb();
  isb();
  uint32_t r = 0x5555;
  __asm volatile("ldr %0, [%1]" : "+r"(r) : "r"(&bytes[opaque(3)]) : "memory");
  SCB_CCR &= ~CCR_UNALIGN_TRP;
  check("unaligned trap: UNALIGNED", fault_cfsr, CFSR_UNALIGNED);
  check("unaligned trap: register untouched", r, 0x5555);
  /* LDM from an unaligned address always faults */
  uint32_t r1 = 0, r2 = 0;
  __asm volatile("ldm %2, {%0, %1}" : "+r"(r1), "+r"(r2) : "r"(&bytes[opaque(2)]) : "memory");
  check("unaligned ldm: UNALIGNED", fault_cfsr, CFSR_UNALIGNED);
  /* precise BusFault: a load from nothing */
  r = 0x7777;
  __asm volatile("ldr %0, [%1]" : "+r"(r) : "r"(opaque(0x30000000)) : "memory");
  check("bus fault: BusFault", fault_ipsr, 5);
  check("bus fault: PRECISERR BFARVALID", fault_cfsr, CFSR_PRECISERR | CFSR_BFARVALID);
  check("bus fault: BFAR", fault_bfar, 0x30000000);
  check("bus fault: register untouched", r, 0x7777);
  /* escalation: with UsageFault disabled, UDF becomes a forced HardFault */
  SCB_SHCSR &= ~SHCSR_USGFAULTENA;
  dsb();
  __asm volatile("udf #8" ::: "memory");
  check("escalated: HardFault", fault_ipsr, 3);
  check("escalated: HFSR.FORCED", fault_hfsr, HFSR_FORCED);
  check("escalated: CFSR", fault_cfsr, CFSR_UNDEFINSTR);
  check("faults taken", fault_count - before, 5);
  fault_expected = 0;
  /* LDREX/STREX */
  static volatile uint32_t shared = 10;
  uint32_t v, fail;
  __asm volatile("ldrex %0, [%2]\n add %0, %0, #5\n strex %1, %0, [%2]" : "=&r"(v), "=&r"(fail) : "r"(&shared) : "memory");
  check("strex succeeds", fail, 0);
  check("ldrex/strex value", shared, 15);
  __asm volatile("ldrex %0, [%2]\n clrex\n strex %1, %0, [%2]" : "=&r"(v), "=&r"(fail) : "r"(&shared) : "memory");
  check("strex after clrex fails", fail, 1);
  group_done("exceptions", f0);
}

/* ---- system: special registers, sleep and events, bit-banding ------------------- */

static volatile uint32_t bitband_word;

static void test_system(void) {
  uint32_t f0 = failures, r;
  /* BASEPRI_MAX only raises the priority mask */
  r = 0x80;
  __asm volatile("msr basepri_max, %0" ::"r"(r) : "memory");
  r = 0xc0;
  __asm volatile("msr basepri_max, %0" ::"r"(r) : "memory");
  __asm volatile("mrs %0, basepri" : "=r"(r));
  check("basepri_max keeps the higher priority", r, 0x80);
  r = 0x40;
  __asm volatile("msr basepri_max, %0" ::"r"(r) : "memory");
  __asm volatile("mrs %0, basepri" : "=r"(r));
  check("basepri_max raises", r, 0x40);
  r = 0;
  __asm volatile("msr basepri, %0" ::"r"(r) : "memory");
  /* FAULTMASK and PRIMASK through CPS and MRS */
  __asm volatile("cpsid f\n mrs %0, faultmask\n cpsie f" : "=r"(r)::"memory");
  check("cpsid f sets faultmask", r, 1);
  __asm volatile("cpsid i\n mrs %0, primask\n cpsie i" : "=r"(r)::"memory");
  check("cpsid i sets primask", r, 1);
  __asm volatile("mrs %0, control" : "=r"(r));
  check("control in thread mode on MSP", r, 0);
  /* SEV sets the event register; WFE consumes it and does not sleep */
  __asm volatile("sev\n wfe" ::: "memory");
  check("sev then wfe returns", 1, 1);
  /* WFI with an interrupt pending that PRIMASK holds back: wakes at once */
  norder = 0;
  irq_disable();
  SCB_ICSR = ICSR_PENDSVSET;
  __asm volatile("dsb\n wfi" ::: "memory");
  check("wfi returns with pendsv pending under primask", norder, 0);
  irq_enable();
  isb();
  check("pendsv taken after cpsie", norder, 1);
  /* bit-band alias of SRAM: one word per bit at 0x22000000 */
  uint32_t alias = 0x22000000u + ((uint32_t)&bitband_word - 0x20000000u) * 32u;
  bitband_word = 0x0f0f0f0f;
  *(volatile uint32_t *)(alias + 4 * 4) = 1;
  *(volatile uint32_t *)(alias + 0 * 4) = 0;
  check("bit-band writes", bitband_word, 0x0f0f0f1e);
  check("bit-band read of a set bit", *(volatile uint32_t *)(alias + 9 * 4), 1);
  check("bit-band read of a clear bit", *(volatile uint32_t *)(alias + 31 * 4), 0);
  group_done("system", f0);
}

/* ---- memory effects ---------------------------------------------------------------- */

/* A checksum of all initialised and zeroed data (not the stack), printed at the end so
 * the test harness can compare the final memory of both runs. */
extern uint32_t __data_start[], __bss_end[];
static uint32_t memory_checksum(void) {
  uint32_t h = 0x811c9dc5u;
  for (const uint32_t *p = __data_start; p < __bss_end; p++) {
    if (p == &checks || p == &failures) continue; /* still changing */
    h = (h ^ *p) * 0x01000193u;
  }
  return h;
}

int main(void) {
  uart_init();
  console_puts("selftest " BOARD_NAME "\n");
  test_arith();
  test_64bit();
  test_division();
  test_bitfields();
  test_loads_stores();
  test_it_blocks();
  test_switch();
  test_exceptions();
  test_system();
  console_puts("memory checksum ");
  console_hex(memory_checksum());
  console_puts("\n");
  console_udec(checks);
  console_puts(" checks, ");
  console_udec(failures);
  console_puts(" failures\n");
  return failures > 99 ? 99 : (int)failures;
}
