// A DebugWire that records what the CMSIS-DAP processor asks of it and answers from a
// script: for command-level unit tests where the exact wire calls matter.
import type { BatchResult, BlockResult, DebugWire, SwdSequenceStep, TransferAck, TransferRequest, WireOptions } from '../../src/wire/debug-wire.js';

export type WireCall =
  | { kind: 'configure'; opts: WireOptions }
  | { kind: 'transfer'; batch: TransferRequest[] }
  | { kind: 'block'; ap: boolean; read: boolean; addr: number; count: number; data?: number[] }
  | { kind: 'swj'; bits: number; data: number[] }
  | { kind: 'swd'; steps: SwdSequenceStep[] }
  | { kind: 'reset'; asserted: boolean }
  | { kind: 'clock'; hz: number };

export class FakeWire implements DebugWire {
  readonly description = 'fake';
  calls: WireCall[] = [];
  /** Value a read returns (called per read, in order). */
  readValue: (t: TransferRequest, n: number) => number = () => 0;
  /** The ack of the n-th transfer overall ('ok' unless set). */
  ackFor: (t: TransferRequest, n: number) => TransferAck = () => 'ok';
  private n = 0;

  configure(opts: WireOptions): void {
    this.calls.push({ kind: 'configure', opts });
  }

  async transfer(batch: readonly TransferRequest[]): Promise<BatchResult> {
    this.calls.push({ kind: 'transfer', batch: batch.map((t) => ({ ...t })) });
    const reads: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const t = batch[i];
      const ack = this.ackFor(t, this.n);
      if (ack !== 'ok') {
        this.n++;
        return { completed: i, ack, reads };
      }
      if (t.read) reads.push(this.readValue(t, this.n) >>> 0);
      this.n++;
    }
    return { completed: batch.length, ack: 'ok', reads };
  }

  async transferBlock(req: { ap: boolean; read: boolean; addr: number }, count: number, data?: Uint32Array): Promise<BlockResult> {
    this.calls.push({ kind: 'block', ...req, count, data: data ? Array.from(data) : undefined });
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const t = { ...req, value: data?.[i] };
      const ack = this.ackFor(t, this.n);
      if (ack !== 'ok') {
        this.n++;
        return { completed: i, ack, data: out };
      }
      if (req.read) out[i] = this.readValue(t, this.n);
      this.n++;
    }
    return { completed: count, ack: 'ok', data: req.read ? out : new Uint32Array(0) };
  }

  async swjSequence(bits: number, data: Uint8Array): Promise<void> {
    this.calls.push({ kind: 'swj', bits, data: Array.from(data) });
  }

  async swdSequence(steps: readonly SwdSequenceStep[]): Promise<Uint8Array[]> {
    this.calls.push({ kind: 'swd', steps: [...steps] });
    return steps.filter((s) => 'capture' in s).map((s) => new Uint8Array((s.bits + 7) >>> 3).fill(0x5a));
  }

  async setReset(asserted: boolean): Promise<void> {
    this.calls.push({ kind: 'reset', asserted });
  }

  async setClock(hz: number): Promise<void> {
    this.calls.push({ kind: 'clock', hz });
  }

  async close(): Promise<void> {}

  count(kind: WireCall['kind']): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }
}
