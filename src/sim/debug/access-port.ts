// What the SW-DP needs from an Access Port. APs complete an access at once; an AP that
// models a slow bus reports `busy` for a while, and the DP answers WAIT meanwhile.

export interface AccessPortDevice {
  /** Read AP register `addr` (APBANKSEL << 4 | A[3:2] << 2). */
  read(addr: number): number;
  write(addr: number, value: number): void;
  /**
   * Set by the last read/write when the access failed on the bus (the DP turns it into
   * CTRL/STAT.STICKYERR); a description for the simulator's own diagnostics.
   */
  error: string | null;
  /** True while a previous access is still in progress (the DP answers WAIT). */
  busy(): boolean;
  /** DAPABORT: abandon a transfer in progress. */
  abort(): void;
  /**
   * Optional block path (the SW-DP's runs of packets to one register): `count` reads of
   * register `addr` into `out`, or writes from `data[from..]`, exactly as that many
   * read()/write() calls; stops after an access that fails (`error` set). Returns the
   * accesses done. Only called while `runReady()` says no access would make it busy.
   */
  readRun?(addr: number, out: Uint32Array, count: number): number;
  writeRun?(addr: number, data: Uint32Array, from: number, count: number): number;
  runReady?(): boolean;
}
