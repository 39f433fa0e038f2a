// The simulator wire's SWO capture: a probe's SWO input listening on the simulated
// board's trace pin. Like a real UART/Manchester receiver it only decodes bytes sent in
// its mode at (within 3% of) its baud rate; anything else sets `error` and is not kept.
import type { SwoPin, SwoLine } from '../sim/debug/swo-pin.js';
import type { SwoCapture, SwoMode, SwoRead } from './debug-wire.js';

/**
 * Bytes held until read. Probes hold a few KiB, enough for ~40 ms of a 2 Mbaud line; a
 * simulated target runs many times faster than real time (a firmware that sleeps between
 * ticks skips the sleep), so its SWO comes faster too, and the capture keeps 1 MiB.
 */
export const SIM_SWO_BUFFER_SIZE = 1 << 20;
/** Highest rate the capture accepts. */
const MAX_BAUD = 100_000_000;
/** How far the sender's rate may be off before the receiver sees garbage. */
const BAUD_TOLERANCE = 0.03;

export class SimSwoCapture implements SwoCapture {
  readonly modes: readonly SwoMode[] = ['uart', 'manchester'];
  readonly bufferSize: number;
  private mode: SwoMode = 'uart';
  private baud = 0;
  private readonly buffer: Uint8Array;
  /** Ring buffer: first byte and count. */
  private head = 0;
  private count = 0;
  private overrun = false;
  private error = false;
  private unlisten: (() => void) | null = null;

  constructor(
    private readonly pin: SwoPin,
    bufferSize = SIM_SWO_BUFFER_SIZE,
  ) {
    this.bufferSize = bufferSize;
    this.buffer = new Uint8Array(bufferSize);
  }

  async configure(mode: SwoMode, baud: number): Promise<number> {
    if (this.unlisten) throw new Error('SWO capture: configure while capturing (stop first)');
    if (!this.modes.includes(mode)) throw new Error(`SWO capture: no mode '${mode}'`);
    this.mode = mode;
    this.baud = Number.isFinite(baud) && baud > 0 && baud <= MAX_BAUD ? baud : 0;
    return this.baud;
  }

  async start(): Promise<void> {
    if (this.unlisten) return;
    if (this.baud === 0) throw new Error('SWO capture: configure a baud rate first');
    this.pin.sync(); // bytes that left before the start are not ours
    // A start flushes what an earlier capture left unread (as CMSIS-DAP's DAP_SWO_Control does).
    this.head = 0;
    this.count = 0;
    this.overrun = false;
    this.error = false;
    this.unlisten = this.pin.listen((byte, line) => this.receive(byte, line));
  }

  async stop(): Promise<void> {
    if (!this.unlisten) return;
    this.pin.sync(); // what left the pin up to now was captured
    this.unlisten();
    this.unlisten = null;
  }

  async read(max: number): Promise<SwoRead> {
    if (this.unlisten) this.pin.sync();
    const n = Math.max(0, Math.min(Math.floor(max), this.count));
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = this.buffer[(this.head + i) % this.bufferSize];
    this.head = (this.head + n) % this.bufferSize;
    this.count -= n;
    const result: SwoRead = { data, active: this.unlisten !== null, pending: this.count, overrun: this.overrun, error: this.error };
    this.overrun = this.error = false;
    return result;
  }

  private receive(byte: number, line: SwoLine): void {
    if (line.mode !== this.mode || Math.abs(line.baud - this.baud) > this.baud * BAUD_TOLERANCE) {
      this.error = true;
      return;
    }
    if (this.count === this.bufferSize) {
      this.overrun = true;
      return;
    }
    this.buffer[(this.head + this.count) % this.bufferSize] = byte;
    this.count++;
  }
}
