// The DebugWire contract: everything above it reaches a target only through this.
// It is at the register-transfer level of CMSIS-DAP's DAP_Transfer: a batch of DP/AP
// register reads and writes costs one async round trip; the wire hides the SW-DP's
// posted AP reads (a read request returns that register's value), retries WAIT up to
// `waitRetries` times itself, and stops a batch at the first transfer that does not
// complete. Raw SWJ sequences (line reset, JTAG-to-SWD, dormant wake-up) and the nRST
// pin complete the contract.

/** One DP or AP register transfer. `addr` is A[3:2] << 2: 0x0, 0x4, 0x8 or 0xC. */
export interface TransferRequest {
  ap: boolean;
  read: boolean;
  addr: number;
  /** Value to write (writes only). */
  value?: number;
}

/** How a transfer ended. */
export type TransferAck = 'ok' | 'wait' | 'fault' | 'no-ack' | 'parity-error';

export interface BatchResult {
  /** Transfers that completed with OK, from the start of the batch. */
  completed: number;
  /** 'ok' when the whole batch completed; otherwise how transfer `completed` ended. */
  ack: TransferAck;
  /** The values of the completed reads, in order. */
  reads: number[];
}

export interface BlockResult {
  completed: number;
  ack: TransferAck;
  /** Read data (reads only), `completed` words valid. */
  data: Uint32Array;
}

/** One step of DebugWire.transferBlocks: register writes (SELECT, CSW, TAR), then a block. */
export interface BlockStep {
  /** DP/AP register writes only: no reads, and nothing that has an effect beyond the DAP's own registers. */
  setup: readonly TransferRequest[];
  req: { ap: boolean; read: boolean; addr: number };
  count: number;
  /** Write data (writes only), `count` words. */
  data?: Uint32Array;
  /**
   * The set-up writes everything the block depends on (SELECT, CSW, TAR): the step does
   * the same whatever ran before it, so a wire may run it after an earlier step failed.
   */
  independent?: boolean;
}

export interface BlocksResult {
  /** Steps whose setup and block both completed. */
  done: number;
  /** 'ok' when all steps completed; otherwise how step `done` ended. */
  ack: TransferAck;
  /** Where step `done` stopped: in its setup or in its block. */
  failedIn?: 'setup' | 'block';
  /** When it stopped in its setup: how many of those writes completed (0 when the wire cannot tell). */
  setupDone?: number;
  /** Block words completed in all steps, the failing one included. */
  words: number;
  /** The words read (read blocks), `words` valid, steps one after the other. */
  data: Uint32Array;
}

/** One step of a raw SWD sequence: drive `bits` from `out`, or capture `bits` from the target. */
export type SwdSequenceStep = { out: Uint8Array; bits: number } | { capture: true; bits: number };

export interface WireOptions {
  /** Times a transfer answered WAIT is retried before the wire reports 'wait'. */
  waitRetries?: number;
  /** Idle cycles after each transfer (a real wire's timing; no effect on the simulator). */
  idleCycles?: number;
}

export interface DebugWire {
  /** What the wire talks to, for messages: 'sim:mps2-an385', 'cmsis-dap:...'. */
  readonly description: string;
  /**
   * The wire itself checks that a batch's or block's final AP write completed (CMSIS-DAP
   * firmware reads RDBUFF after a DAP_Transfer's last write) and reports a failure as the
   * batch's ack; without it the ADI layer appends that RDBUFF read itself.
   */
  readonly confirmsWrites?: boolean;
  configure(opts: WireOptions): void;
  /** A batch of register transfers: one round trip. */
  transfer(batch: readonly TransferRequest[]): Promise<BatchResult>;
  /** `count` transfers to one register (DAP_TransferBlock): reads, or writes of `data`. */
  transferBlock(req: { ap: boolean; read: boolean; addr: number }, count: number, data?: Uint32Array): Promise<BlockResult>;
  /**
   * Optional: several set-up-and-block steps in one call (a block read or write that
   * spans TAR auto-increment ranges). A step's block runs only after its setup completed;
   * nothing runs after a block that failed, except possibly the next step's setup (its
   * register writes are harmless, which is what lets a wire keep them in flight) and
   * independent steps (which may have run: for writes, memory after the failure may be
   * written). The result reports the first failure and only the words before it.
   */
  transferBlocks?(steps: readonly BlockStep[]): Promise<BlocksResult>;
  /**
   * Optional: the most words an independent step with `setupWrites` set-up writes may
   * hold for this wire to keep such steps in flight (one probe packet each).
   */
  blockStepWords?(read: boolean, setupWrites: number): number;
  /** Drive `bits` bits of `data` on SWDIO/TMS, LSB first (SWJ_Sequence). */
  swjSequence(bits: number, data: Uint8Array): Promise<void>;
  /** Raw SWD sequence with capture (SWD_Sequence); returns the captured bits, one array per capture step. */
  swdSequence(steps: readonly SwdSequenceStep[]): Promise<Uint8Array[]>;
  /** Drive the nRST pin (true = asserted, i.e. low). */
  setReset(asserted: boolean): Promise<void>;
  /** SWD clock in Hz (a no-op where there is no real clock). */
  setClock(hz: number): Promise<void>;
  /** Optional: the probe's SWO input (the trace pin of the debug connector). */
  readonly swo?: SwoCapture;
  close(): Promise<void>;
}

/** How the SWO pin is encoded: NRZ (UART, 8N1) or Manchester. */
export type SwoMode = 'uart' | 'manchester';

/**
 * A probe's SWO capture (CMSIS-DAP's DAP_SWO_* commands, or the simulated board's trace
 * pin): bytes arrive at the baud rate the target's TPIU sends them; the probe must be set
 * to the same mode and rate (within a few percent) to see them. Data is kept in a buffer
 * of `bufferSize` bytes until read; more than that is an overrun (bytes lost).
 */
export interface SwoCapture {
  /** The encodings this probe can capture. */
  readonly modes: readonly SwoMode[];
  /** Bytes the capture holds before it overruns. */
  readonly bufferSize: number;
  /**
   * Set the mode and baud rate (while stopped). Returns the baud rate the probe will
   * actually use (the nearest it can do), or 0 when it cannot capture at that rate.
   */
  configure(mode: SwoMode, baud: number): Promise<number>;
  /** Start capturing (after configure); bytes from before the start are not kept. */
  start(): Promise<void>;
  /** Stop capturing; what was captured stays readable. */
  stop(): Promise<void>;
  /** Take up to `max` captured bytes (0: only the status). */
  read(max: number): Promise<SwoRead>;
}

export interface SwoRead {
  data: Uint8Array;
  /** Capturing (started and not stopped). */
  active: boolean;
  /** Bytes still buffered after this read. */
  pending: number;
  /** Bytes were lost since the last read because the buffer was full. */
  overrun: boolean;
  /** The line carried something the capture could not decode (wrong mode or baud rate) since the last read. */
  error: boolean;
}

/** Pack bits (LSB first) from a number array or value, for swjSequence. */
export function bitsFromValue(value: number | bigint, bits: number): Uint8Array {
  const out = new Uint8Array((bits + 7) >>> 3);
  let v = BigInt(value);
  for (let i = 0; i < bits; i++) {
    if (v & 1n) out[i >>> 3] |= 1 << (i & 7);
    v >>= 1n;
  }
  return out;
}

/** `bits` ones (a line reset is at least 50). */
export function ones(bits: number): Uint8Array {
  const out = new Uint8Array((bits + 7) >>> 3).fill(0xff);
  if (bits & 7) out[out.length - 1] = (1 << (bits & 7)) - 1;
  return out;
}

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}
