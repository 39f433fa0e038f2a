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
  /** A JSON request whose answer, a Uint8Array, comes back as raw bytes in DATA. */
  JSON_BYTES: 8,
  /** A JSON request (A bytes) followed by raw bytes, passed as the call's last argument. */
  JSON_WITH_BYTES: 9,
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
 * Waits for `ctl[i]` to change from `old`: a spin, then a sleep in Atomics.wait. Spinning
 * pays only while the peer thread runs on another core: on an idle machine a round trip
 * then takes a few microseconds instead of two futex wake-ups (20-50 us each here). On a
 * loaded machine the two threads often share one core, and a spin only keeps the peer
 * from running. So the budget adapts: a hit doubles it (up to maxUs), a miss halves it,
 * and below minUs it stops spinning. Once both sides sleep, each sees the other only
 * after a wake-up and would miss every short spin, so now and then a wait spins maxUs (a
 * probe): a hit brings spinning back; a miss makes the next probe twice as far away.
 */
export class Spinner {
  private us: number;
  private untilProbe = PROBE_MIN;
  private probeGap = PROBE_MIN;
  constructor(
    private readonly minUs: number,
    private readonly maxUs: number,
  ) {
    this.us = maxUs;
  }
  /** True when the value changed; false when `sleepMs` passed after the spin. */
  wait(ctl: Int32Array, i: number, old: number, sleepMs = Infinity): boolean {
    const probe = --this.untilProbe <= 0 && this.us < this.maxUs;
    if (probe) this.untilProbe = this.probeGap;
    if (spinWhileEqual(ctl, i, old, probe ? this.maxUs : this.us)) {
      this.us = probe ? this.maxUs : Math.min(this.maxUs, Math.max(this.minUs, this.us * 2));
      if (probe) this.probeGap = PROBE_MIN;
      return true;
    }
    this.us = this.us / 2 < this.minUs ? 0 : this.us / 2;
    if (probe) this.probeGap = Math.min(PROBE_MAX, this.probeGap * 2);
    const end = performance.now() + sleepMs;
    for (;;) {
      const left = end - performance.now();
      if (left <= 0) return false;
      Atomics.wait(ctl, i, old, left === Infinity ? undefined : left);
      if (Atomics.load(ctl, i) !== old) return true;
    }
  }
}

/** Spin budgets: about one answer's time (a read takes 2-4 us end to end), and about one futex wake-up. */
export const SPIN_MIN_US = 5;
export const SPIN_MAX_US = 50;
const PROBE_MIN = 16;
const PROBE_MAX = 1024;
