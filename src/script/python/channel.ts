// The synchronous call channel between a MicroPython worker and the main thread. Python
// must see target calls as ordinary synchronous functions, but the target is reached by
// async code on the main thread; so the worker writes a request into shared memory,
// wakes the main thread and waits until the answer is there. No postMessage on this
// path. While a script calls back to back both sides spin on the sequence numbers for a
// few tens of microseconds before they sleep in Atomics.wait: a futex wake-up costs
// 10-30 us per hand-off, a spinning peer sees the store in well under one.
//
// Both sides act on a change of REQ/RESP's value, never on having been woken: a notify
// can arrive late (the worker can be preempted between its store and its notify) and
// must not make the main thread answer the same request twice.
//
// Layout: CTL (Int32Array) then DATA (bytes for JSON requests and answers).

export const CTL_SLOTS = 16;
export const DATA_BYTES = 4 * 1024 * 1024;

export const C = {
  /** Worker increments and notifies: a new request. */
  REQ: 0,
  /** Main sets to REQ's value and notifies: the answer is ready. */
  RESP: 1,
  OP: 2,
  A: 3,
  B: 4,
  /** 0 ok, 1 error (DATA holds "Kind:message"). */
  STATUS: 5,
  /** Integer result of the fast ops. */
  RESULT: 6,
  /** Bytes used in DATA (request and answer). */
  LEN: 7,
  /** Main sets 1 to interrupt the running script (Ctrl-C). */
  INTERRUPT: 8,
  /** Worker sets 1 while it runs Python (a script, a monitor command, REPL input). */
  BUSY: 9,
} as const;

/** Opcodes: the memory accesses a script does most have their own, the rest go as JSON. */
export const OP = {
  READ8: 1,
  READ16: 2,
  READ32: 3,
  WRITE8: 4,
  WRITE16: 5,
  WRITE32: 6,
  JSON: 7,
} as const;

export interface Channel {
  sab: SharedArrayBuffer;
  ctl: Int32Array;
  data: Uint8Array;
}

export function createChannel(sab = new SharedArrayBuffer(CTL_SLOTS * 4 + DATA_BYTES)): Channel {
  return { sab, ctl: new Int32Array(sab, 0, CTL_SLOTS), data: new Uint8Array(sab, CTL_SLOTS * 4) };
}

/**
 * Spin while `ctl[i]` still holds `old`, for at most `us` microseconds; true when it
 * changed. The clock is read once per 64 loads (it costs more than a load).
 */
export function spinWhileEqual(ctl: Int32Array, i: number, old: number, us: number): boolean {
  for (let k = 0; k < 64; k++) if (Atomics.load(ctl, i) !== old) return true;
  const end = performance.now() + us / 1000;
  for (;;) {
    for (let k = 0; k < 64; k++) if (Atomics.load(ctl, i) !== old) return true;
    if (performance.now() > end) return Atomics.load(ctl, i) !== old;
  }
}

/**
 * spinWhileEqual with a budget that adapts: a hit doubles the next spin, a miss halves
 * it. On an idle machine the peer answers within microseconds and spinning pays; on a
 * loaded one the peer is often not running, and a long spin only takes CPU from it (on
 * 2 busy cores, 50 us spins cut reads from ~30k/s to ~8k/s).
 */
export class Spinner {
  private us: number;
  constructor(
    private readonly minUs: number,
    private readonly maxUs: number,
  ) {
    this.us = minUs;
  }
  spin(ctl: Int32Array, i: number, old: number): boolean {
    const hit = spinWhileEqual(ctl, i, old, this.us);
    this.us = hit ? Math.min(this.maxUs, this.us * 2) : Math.max(this.minUs, this.us / 2);
    return hit;
  }
}
