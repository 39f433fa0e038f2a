// Reading a probe's SWO capture and decoding it as it comes: what `tsprobe swo` prints and
// what gdb's `monitor traceswo` sends to the gdb console. One poll takes everything the
// probe holds; `run()` polls until stopped.
import type { SwoCapture } from '../wire/debug-wire.js';
import { ItmDecoder, stimulusBytes, type ItmPacket } from './itm-decoder.js';

export interface SwoHandlers {
  /** A stimulus port write, its bytes in order (text for printf-style ports). */
  stimulus?(port: number, bytes: number[], packet: ItmPacket & { kind: 'instrumentation' }): void;
  /** Any other decoded packet (overflow, hardware, timestamps, ...). */
  packet?(p: ItmPacket): void;
  /** The raw bytes as captured. */
  raw?(bytes: Uint8Array): void;
  /** The probe's buffer overran, or it saw line errors (wrong baud rate or mode). */
  trouble?(what: 'overrun' | 'line-error'): void;
}

export class SwoStream {
  readonly decoder = new ItmDecoder();
  bytes = 0;
  overruns = 0;
  lineErrors = 0;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly swo: SwoCapture,
    private readonly on: SwoHandlers,
  ) {}

  /** Read what the probe holds and decode it; returns the bytes still pending there. */
  async poll(): Promise<number> {
    const r = await this.swo.read(this.swo.bufferSize || 4096);
    this.bytes += r.data.length;
    if (r.data.length) this.on.raw?.(r.data);
    if (r.overrun) {
      this.overruns++;
      this.on.trouble?.('overrun');
    }
    if (r.error) {
      this.lineErrors++;
      this.on.trouble?.('line-error');
    }
    for (const p of this.decoder.push(r.data)) {
      if (p.kind === 'instrumentation') this.on.stimulus?.(p.port, stimulusBytes(p), p);
      else this.on.packet?.(p);
    }
    return r.pending;
  }

  /** Poll every `intervalMs` (at once again while the probe has more) until stop() or `untilMs` passes; a last poll at the end. */
  async run(intervalMs: number, untilMs = Infinity): Promise<void> {
    const deadline = performance.now() + untilMs;
    while (!this.stopping && performance.now() < deadline) {
      if ((await this.poll()) > 0) continue;
      const wait = Math.max(0, Math.min(intervalMs, deadline - performance.now()));
      await new Promise<void>((r) => {
        const t = setTimeout(r, wait);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = null;
    }
    await this.poll();
  }

  /** Make run() finish (after its last poll). */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }
}
