// The synchronous call channel between a MicroPython worker and the main thread. Python
// must see target calls as ordinary synchronous functions, but the target is reached by
// async code on the main thread; so the worker writes a request into shared memory,
// wakes the main thread and blocks in Atomics.wait until the answer is there. No
// postMessage on this path: a round trip costs two futex wake-ups, not two clones.
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
