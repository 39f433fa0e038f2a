// The DebugWire of an in-process simulated board: transfers go to the board's SW-DP at
// register level (the same DP logic as the bit-serial port, without serialising bits);
// SWJ/SWD sequences go through the bit-serial port. The wire does not run the target:
// between batches the board's own run loop (whoever owns it) advances the simulation.
import { Ack, DP_ADDR } from '../arch/dp.js';
import type { DebugSystem } from '../sim/debug/debug-system.js';
import type { BatchResult, BlockResult, BlocksResult, BlockStep, DebugWire, SwdSequenceStep, SwoCapture, TransferAck, TransferRequest, WireOptions } from './debug-wire.js';
import { SimSwoCapture } from './sim-swo.js';

const ackName = (a: Ack): TransferAck => (a === Ack.OK ? 'ok' : a === Ack.WAIT ? 'wait' : a === Ack.FAULT ? 'fault' : 'no-ack');

export class SimWire implements DebugWire {
  private waitRetries = 8;
  /** Transfers and batches so far (for benchmarks and tests). */
  stats = { batches: 0, transfers: 0 };

  constructor(
    readonly debug: DebugSystem,
    readonly description = 'sim',
  ) {}

  configure(opts: WireOptions): void {
    if (opts.waitRetries !== undefined) this.waitRetries = opts.waitRetries;
  }

  /** One packet with WAIT retries. */
  private packet(apndp: number, rnw: number, a: number, wdata: number): Ack {
    const dp = this.debug.dp;
    let ack = dp.transfer(apndp, rnw, a, wdata);
    for (let i = 0; ack === Ack.WAIT && i < this.waitRetries; i++) ack = dp.transfer(apndp, rnw, a, wdata);
    this.stats.transfers++;
    return ack;
  }

  /** Register-level transfers ran since the last bit-level sequence: the bit engine must resync. */
  private bitEngineStale = true;

  async transfer(batch: readonly TransferRequest[]): Promise<BatchResult> {
    this.stats.batches++;
    this.bitEngineStale = true;
    return this.transferSync(batch);
  }

  /** The batch without the async step (the CMSIS-DAP device and benchmarks call this). */
  transferSync(batch: readonly TransferRequest[]): BatchResult {
    const dp = this.debug.dp;
    const reads: number[] = [];
    // An AP read is posted: its value arrives with the next AP read or an RDBUFF read.
    let posted = false;
    let i = 0;
    for (; i < batch.length; i++) {
      const t = batch[i];
      // A run of AP accesses to one register (a CMSIS-DAP host's block as DAP_Transfer):
      // done as one SW-DP/AP step when every packet would be a plain OK.
      if (t.ap && i + 3 < batch.length && (t.read || !posted)) {
        const n = this.apRunInBatch(batch, i, posted, reads);
        if (n > 0) {
          if (t.read) posted = true;
          i += n - 1;
          continue;
        }
      }
      if (t.ap && t.read) {
        const ack = this.packet(1, 1, t.addr, 0);
        if (ack !== Ack.OK) return { completed: posted ? i - 1 : i, ack: ackName(ack), reads };
        if (posted) reads.push(dp.rdata);
        posted = true;
        continue;
      }
      if (posted) {
        // Collect the pending AP read before anything else touches the DP.
        const ack = this.packet(0, 1, DP_ADDR.RDBUFF, 0);
        if (ack !== Ack.OK) return { completed: i - 1, ack: ackName(ack), reads };
        reads.push(dp.rdata);
        posted = false;
      }
      const ack = this.packet(t.ap ? 1 : 0, t.read ? 1 : 0, t.addr, t.value ?? 0);
      if (ack !== Ack.OK) {
        // TARGETSEL is never acknowledged; the CMSIS-DAP convention is to report it done.
        if (ack === Ack.NONE && !t.ap && !t.read && t.addr === 0xc && dp.version >= 2) continue;
        return { completed: i, ack: ackName(ack), reads };
      }
      if (t.read) reads.push(dp.rdata);
    }
    if (posted) {
      const ack = this.packet(0, 1, DP_ADDR.RDBUFF, 0);
      if (ack !== Ack.OK) return { completed: i - 1, ack: ackName(ack), reads };
      reads.push(dp.rdata);
    }
    return { completed: i, ack: 'ok', reads };
  }

  /**
   * The run of AP transfers to one register at batch[i] (reads, or writes with no read
   * pending) through SwDp.apRun; reads are pushed as the single packets would return them
   * (each the previous AP read's value). Returns the transfers done, 0 to use packets.
   */
  private apRunInBatch(batch: readonly TransferRequest[], i: number, posted: boolean, reads: number[]): number {
    const t = batch[i];
    let m = 1;
    while (i + m < batch.length && batch[i + m].ap && batch[i + m].read === t.read && batch[i + m].addr === t.addr) m++;
    if (m < 4) return 0;
    const dp = this.debug.dp;
    if (t.read) {
      const prev = dp.readDp(DP_ADDR.RDBUFF); // the pending read's value (RDBUFF reads have no side effects)
      const out = new Uint32Array(m);
      const n = dp.apRun(t.addr, m, out, null);
      if (n === 0) return 0;
      if (posted) reads.push(prev);
      for (let j = 0; j + 1 < n; j++) reads.push(out[j]);
      this.stats.transfers += n;
      return n;
    }
    const values = new Uint32Array(m);
    for (let j = 0; j < m; j++) values[j] = batch[i + j].value ?? 0;
    const n = dp.apRun(t.addr, m, null, values);
    this.stats.transfers += n;
    return n;
  }

  async transferBlock(req: { ap: boolean; read: boolean; addr: number }, count: number, data?: Uint32Array): Promise<BlockResult> {
    this.stats.batches++;
    this.bitEngineStale = true;
    return this.transferBlockSync(req, count, data);
  }

  transferBlockSync(req: { ap: boolean; read: boolean; addr: number }, count: number, data?: Uint32Array): BlockResult {
    const dp = this.debug.dp;
    const apndp = req.ap ? 1 : 0;
    if (!req.read) {
      if (!data || data.length < count) throw new Error(`transferBlock: a write of ${count} words needs ${count} words of data`);
      // The run of plain OK packets in one go; single packets for whatever is left (the FAULT after a failed write, WAIT, ...).
      const fast = req.ap ? dp.apRun(req.addr, count, null, data) : 0;
      this.stats.transfers += fast;
      for (let i = fast; i < count; i++) {
        const ack = this.packet(apndp, 0, req.addr, data[i]);
        if (ack !== Ack.OK) return { completed: i, ack: ackName(ack), data: new Uint32Array(0) };
      }
      return { completed: count, ack: 'ok', data: new Uint32Array(0) };
    }
    const out = new Uint32Array(count);
    if (!req.ap) {
      for (let i = 0; i < count; i++) {
        const ack = this.packet(0, 1, req.addr, 0);
        if (ack !== Ack.OK) return { completed: i, ack: ackName(ack), data: out };
        out[i] = dp.rdata;
      }
      return { completed: count, ack: 'ok', data: out };
    }
    // Posted AP reads: the first read's data arrives with the second, the last's with RDBUFF.
    // The run of plain OK reads is done in one go (out[j] = read j, as the posted results
    // would fill it); single packets continue from there, RDBUFF included.
    const fast = dp.apRun(req.addr, count, out, null);
    this.stats.transfers += fast;
    for (let i = fast; i <= count; i++) {
      const ack = i < count ? this.packet(1, 1, req.addr, 0) : this.packet(0, 1, DP_ADDR.RDBUFF, 0);
      if (ack !== Ack.OK) return { completed: Math.max(0, i - 1), ack: ackName(ack), data: out };
      if (i > 0) out[i - 1] = dp.rdata;
    }
    return { completed: count, ack: 'ok', data: out };
  }

  async transferBlocks(steps: readonly BlockStep[]): Promise<BlocksResult> {
    this.stats.batches++;
    this.bitEngineStale = true;
    let total = 0;
    for (const s of steps) if (s.req.read) total += s.count;
    const data = new Uint32Array(total);
    let words = 0;
    let at = 0;
    for (let k = 0; k < steps.length; k++) {
      const s = steps[k];
      if (s.setup.length) {
        const r = this.transferSync(s.setup);
        if (r.ack !== 'ok') return { done: k, ack: r.ack, failedIn: 'setup', setupDone: r.completed, words, data };
      }
      const b = this.transferBlockSync(s.req, s.count, s.data);
      if (s.req.read) {
        data.set(b.data.subarray(0, b.completed), at);
        at += b.completed;
      }
      words += b.completed;
      if (b.ack !== 'ok') return { done: k, ack: b.ack, failedIn: 'block', words, data };
    }
    return { done: steps.length, ack: 'ok', words, data };
  }

  async swjSequence(bits: number, data: Uint8Array): Promise<void> {
    const swj = this.bitEngine();
    swj.sequence(bits, data);
  }

  async swdSequence(steps: readonly SwdSequenceStep[]): Promise<Uint8Array[]> {
    const swj = this.bitEngine();
    const captured: Uint8Array[] = [];
    for (const s of steps) {
      if ('out' in s) swj.sequence(s.bits, s.out);
      else {
        const buf = new Uint8Array((s.bits + 7) >>> 3);
        for (let i = 0; i < s.bits; i++) {
          const b = swj.clock(undefined) ?? 1; // an undriven line reads high (pull-up)
          if (b) buf[i >>> 3] |= 1 << (i & 7);
        }
        captured.push(buf);
      }
    }
    return captured;
  }

  private bitEngine() {
    if (this.bitEngineStale) this.debug.swj.resync();
    this.bitEngineStale = false;
    return this.debug.swj;
  }

  async setReset(asserted: boolean): Promise<void> {
    this.debug.setNrst(asserted);
  }

  async setClock(): Promise<void> {}

  private swoCapture: SimSwoCapture | undefined;

  /** The probe's SWO input on the board's trace pin (one per wire, made on first use). */
  get swo(): SwoCapture {
    return (this.swoCapture ??= new SimSwoCapture(this.debug.swo));
  }

  async close(): Promise<void> {}
}
