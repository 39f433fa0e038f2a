/* The chunk runner: runs generated instruction streams (test/oracle/generator) one
 * chunk after another, each with all registers initialised from a table, so QEMU and
 * the simulator can be compared on them instruction by instruction.
 *
 * The test writes a blob at CHUNK_TABLE (QEMU: -device loader; the simulator: a bus
 * load) holding a header, the entries and the chunks' code. Each chunk must end with
 * a jump to chunk_done (the test appends `ldr.w pc, [pc]` and the address).
 * Initial scratch memory (0x20100000..0x2010ffff) is loaded the same way. After each
 * chunk whose entry asks for it, the runner writes the scratch memory to
 * "chunk-memory.bin" through semihosting (SYS_WRITE), so the test can compare it
 * with the simulator's memory at the same point. Exits 0 after the last chunk. */
#include <stdint.h>
#include "mps2.h"
#include "semihost.h"

#define CHUNK_TABLE 0x00200000u
#define CHUNK_MAGIC 0x4b4e4843u /* "CHNK" */
#define SCRATCH_BASE 0x20100000u
#define SCRATCH_SIZE 0x10000u
#define FLAG_DUMP_MEMORY 1u

struct chunk_entry {
  uint32_t r[13];
  uint32_t entry;
  uint32_t sp, lr, apsr, flags, reserved[2];
};

struct chunk_table {
  uint32_t magic, count, reserved[2];
  struct chunk_entry entries[];
};

void run_chunk(const struct chunk_entry *e);

static uint32_t semihost_open(const char *name, uint32_t mode) {
  uint32_t block[3] = {(uint32_t)name, mode, 0};
  while (name[block[2]]) block[2]++;
  return semihost_call(SYS_OPEN, block);
}

int main(void) {
  const struct chunk_table *t = (const struct chunk_table *)CHUNK_TABLE;
  if (t->magic != CHUNK_MAGIC) {
    semihost_write0("chunk-runner: no chunk table at 0x00200000\n");
    return 2;
  }
  /* Faults go to their own handlers (all of which abandon the chunk). */
  SCB_SHCSR |= SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA;
  uint32_t dump = (uint32_t)-1;
  for (uint32_t i = 0; i < t->count; i++) {
    const struct chunk_entry *e = &t->entries[i];
    run_chunk(e);
    if (e->flags & FLAG_DUMP_MEMORY) {
      if (dump == (uint32_t)-1) {
        dump = semihost_open("chunk-memory.bin", 5 /* "wb" */);
        if (dump == (uint32_t)-1) {
          semihost_write0("chunk-runner: cannot open chunk-memory.bin\n");
          return 3;
        }
      }
      uint32_t block[3] = {dump, SCRATCH_BASE, SCRATCH_SIZE};
      semihost_call(SYS_WRITE, block);
    }
  }
  if (dump != (uint32_t)-1) semihost_call(SYS_CLOSE, &dump);
  return 0;
}
