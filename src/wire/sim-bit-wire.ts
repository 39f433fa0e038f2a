// A DebugWire that drives the simulated SWJ-DP one clock cycle at a time, as a
// bit-banging probe does: every transfer is serialised into an SWD packet (header,
// turnaround, acknowledge, data, parity) on the simulated pins. It is slower than
// SimWire and exists to check that the whole stack works down at the wire, and that the
// register-level shortcut of SimWire behaves exactly like the packets.
import type { SwjPort } from '../sim/debug/swj-port.js';
import type { BatchResult, BlockResult, DebugWire, SwdSequenceStep, TransferAck, TransferRequest, WireOptions } from './debug-wire.js';

const parity32 = (v: number): number => {
  v ^= v >>> 16;
  v ^= v >>> 8;
  v ^= v >>> 4;
  v ^= v >>> 2;
  v ^= v >>> 1;
  return v & 1;
};

export class SimBitWire implements DebugWire {
  private waitRetries = 8;
  /** Turnaround cycles: DLCR.TURNROUND + 1. Whoever writes DLCR sets this to match. */
  turnaround = 1;
  /** Clock cycles driven so far. */
  cycles = 0;
  /**
   * Clock a data phase after WAIT and FAULT too, as the DP expects while CTRL/STAT.ORUNDETECT
   * is set (CMSIS-DAP's SWD_Configure "always data phase"). Whoever sets ORUNDETECT sets this.
   */
  dataPhase = false;

  constructor(
    private readonly swj: SwjPort,
    readonly description = 'sim (bit level)',
    private readonly onReset: (asserted: boolean) => void = () => {},
  ) {}

  configure(opts: WireOptions): void {
    if (opts.waitRetries !== undefined) this.waitRetries = opts.waitRetries;
  }

  private out(bit: number): void {
    this.swj.clock((bit & 1) as 0 | 1);
    this.cycles++;
  }

  private in(): number {
    this.cycles++;
    return this.swj.clock(undefined) ?? 1; // undriven: the pull-up reads 1
  }

  /** One packet; returns the acknowledge and, for reads, the data (parity checked). */
  private packet(apndp: number, rnw: number, a: number, wdata: number): { ack: TransferAck; data: number } {
    const a2 = (a >>> 2) & 1;
    const a3 = (a >>> 3) & 1;
    const header = 1 | (apndp << 1) | (rnw << 2) | (a2 << 3) | (a3 << 4) | ((apndp ^ rnw ^ a2 ^ a3) << 5) | (1 << 7);
    for (let i = 0; i < 8; i++) this.out(header >>> i);
    for (let i = 0; i < this.turnaround; i++) this.in();
    let ack = 0;
    for (let i = 0; i < 3; i++) ack |= this.in() << i;
    const targetsel = apndp === 0 && rnw === 0 && a === 0xc;
    if (ack === 0b001 && rnw) {
      let data = 0;
      for (let i = 0; i < 32; i++) data |= this.in() << i;
      const p = this.in();
      for (let i = 0; i < this.turnaround; i++) this.in();
      this.idle();
      return { ack: p === parity32(data) ? 'ok' : 'parity-error', data: data >>> 0 };
    }
    if (ack === 0b001 || targetsel) {
      for (let i = 0; i < this.turnaround; i++) this.in();
      for (let i = 0; i < 32; i++) this.out(wdata >>> i);
      this.out(parity32(wdata));
      this.idle();
      return { ack: 'ok', data: 0 };
    }
    if (this.dataPhase && (ack === 0b010 || ack === 0b100)) {
      if (rnw) {
        for (let i = 0; i < 33 + this.turnaround; i++) this.in();
      } else {
        for (let i = 0; i < this.turnaround; i++) this.in();
        for (let i = 0; i < 33; i++) this.out(0);
      }
    } else for (let i = 0; i < this.turnaround; i++) this.in();
    this.idle();
    return { ack: ack === 0b010 ? 'wait' : ack === 0b100 ? 'fault' : 'no-ack', data: 0 };
  }

  private idle(): void {
    for (let i = 0; i < 2; i++) this.out(0);
  }

  private retried(apndp: number, rnw: number, a: number, wdata: number): { ack: TransferAck; data: number } {
    let r = this.packet(apndp, rnw, a, wdata);
    for (let i = 0; r.ack === 'wait' && i < this.waitRetries; i++) r = this.packet(apndp, rnw, a, wdata);
    return r;
  }

  async transfer(batch: readonly TransferRequest[]): Promise<BatchResult> {
    const reads: number[] = [];
    let posted = false;
    let i = 0;
    for (; i < batch.length; i++) {
      const t = batch[i];
      if (t.ap && t.read) {
        const r = this.retried(1, 1, t.addr, 0);
        if (r.ack !== 'ok') return { completed: posted ? i - 1 : i, ack: r.ack, reads };
        if (posted) reads.push(r.data);
        posted = true;
        continue;
      }
      if (posted) {
        const r = this.retried(0, 1, 0xc, 0);
        if (r.ack !== 'ok') return { completed: i - 1, ack: r.ack, reads };
        reads.push(r.data);
        posted = false;
      }
      const r = this.retried(t.ap ? 1 : 0, t.read ? 1 : 0, t.addr, t.value ?? 0);
      if (r.ack !== 'ok') return { completed: i, ack: r.ack, reads };
      if (t.read) reads.push(r.data);
    }
    if (posted) {
      const r = this.retried(0, 1, 0xc, 0);
      if (r.ack !== 'ok') return { completed: i - 1, ack: r.ack, reads };
      reads.push(r.data);
    }
    return { completed: i, ack: 'ok', reads };
  }

  async transferBlock(req: { ap: boolean; read: boolean; addr: number }, count: number, data?: Uint32Array): Promise<BlockResult> {
    const batch: TransferRequest[] = [];
    for (let i = 0; i < count; i++) batch.push({ ap: req.ap, read: req.read, addr: req.addr, value: data?.[i] });
    const r = await this.transfer(batch);
    return { completed: r.completed, ack: r.ack, data: Uint32Array.from(r.reads) };
  }

  async swjSequence(bits: number, data: Uint8Array): Promise<void> {
    for (let i = 0; i < bits; i++) this.out(data[i >>> 3] >>> (i & 7));
  }

  async swdSequence(steps: readonly SwdSequenceStep[]): Promise<Uint8Array[]> {
    const captured: Uint8Array[] = [];
    for (const s of steps) {
      if ('out' in s) await this.swjSequence(s.bits, s.out);
      else {
        const buf = new Uint8Array((s.bits + 7) >>> 3);
        for (let i = 0; i < s.bits; i++) if (this.in()) buf[i >>> 3] |= 1 << (i & 7);
        captured.push(buf);
      }
    }
    return captured;
  }

  async setReset(asserted: boolean): Promise<void> {
    this.onReset(asserted);
  }

  async setClock(): Promise<void> {}

  async close(): Promise<void> {}
}
