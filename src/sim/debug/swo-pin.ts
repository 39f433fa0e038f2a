// The SWO pin: the trace FIFO shared by the ITM and the TPIU, emptied onto the pin at the
// TPIU's bit rate in simulated time. Each byte takes 10 bit times (NRZ framing: start,
// 8 data, stop; Manchester is paced the same) = 10 * (ACPR + 1) core cycles.
//
// Time is kept exactly: a byte's end is fixed when it starts (the end of the byte before,
// or the moment it entered an empty FIFO), and `sync()` retires every byte that has ended
// by `clock.now`. The ITM syncs before it answers FIFOREADY, so firmware polling the port
// sees bytes leave on time even though a clock event may fire late (the core runs to its
// slice limit before it fires events scheduled meanwhile). The event is only there to
// move bytes out while nobody looks.
//
// With the formatter on (FFCR.EnFCont) or the parallel trace port selected (SPPR 0) the
// bytes are paced the same but nothing appears on the pin: CoreSight formatter frames
// are not modelled.
//
// Which unit sets the pin up, and whether the ITM's packets reach it at all, is the
// chip's: on a Cortex-M3/M4/MPS2 board the core's TPIU at 0xE0040000, always connected;
// on an STM32H7 the SWO unit on the debug APB, reached only through the SWO trace funnel
// (SWTF) while its port 0 and the trace clock are enabled (see `gate` below and
// sim/boards/stm32h7.ts). The board passes both through DebugSystemOptions.swo.
import type { Clock, TimerEvent } from '../clock.js';

export type SwoLineMode = 'uart' | 'manchester';

/** How a byte was sent: the pin protocol and bit rate (TRACECLKIN / (ACPR + 1)). */
export interface SwoLine {
  mode: SwoLineMode;
  baud: number;
}

export type SwoListener = (byte: number, line: SwoLine) => void;

/** The registers of the unit that drives the pin (a TPIU, or a TPIU-like SWO unit): read as each byte starts. */
export interface SwoPortSettings {
  /** Prescaler: the bit rate is TRACECLKIN / (acpr + 1). */
  readonly acpr: number;
  /** Selected pin protocol: 0 parallel, 1 SWO Manchester, 2 SWO NRZ. */
  readonly sppr: number;
  /** Formatter and flush control (bit 1, EnFCont: formatter on). */
  readonly ffcr: number;
}

/** Bytes the ITM and TPIU hold together, the one on the pin included: small, so FIFOREADY throttles. */
export const SWO_FIFO_BYTES = 16;

export class SwoPin {
  private readonly queue: number[] = [];
  /** When queue[0] has fully left the pin (cycles). */
  private headEnd = 0;
  /** How queue[0] is being sent; null when it goes nowhere (formatter, parallel port). */
  private headLine: SwoLine | null = null;
  private event: TimerEvent | undefined;
  private overflowPending = false;
  private readonly listeners = new Set<SwoListener>();

  constructor(
    private readonly clock: Clock,
    private readonly tpiu: SwoPortSettings,
    /**
     * True while simulated time stands still but a real chip's would not: a core halted in
     * debug state stops the simulation's clock, while the trace port of a real chip goes
     * on sending what its FIFO holds. The FIFO then empties at once.
     */
    private readonly clockStopped: () => boolean = () => false,
    /**
     * Whether the ITM's packets get through to the pin's FIFO now (on the STM32H7: the
     * funnel's input port enabled and the trace clock on). While it is false every packet
     * is accepted and thrown away, and free() reports an empty FIFO, so FIFOREADY reads 1
     * and firmware spinning on it never hangs (silicon without a trace clock could stall
     * the ITM instead; the simulation chooses not to). Bytes already in the FIFO still go
     * out. Always true when not given.
     */
    private readonly gate: () => boolean = () => true,
  ) {}

  /** Call `cb` with every byte once it has fully left the pin; returns the unsubscribe. */
  listen(cb: SwoListener): () => void {
    const entry: SwoListener = (b, l) => cb(b, l);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** The line as the TPIU (or SWO unit) is set up now, or null when the SWO pin carries nothing. */
  currentLine(): SwoLine | null {
    const t = this.tpiu;
    if (t.sppr !== 1 && t.sppr !== 2) return null;
    if (t.ffcr & 2) return null; // EnFCont: formatter frames, not modelled
    return { mode: t.sppr === 1 ? 'manchester' : 'uart', baud: this.clock.hz / (t.acpr + 1) };
  }

  /** Whether packets reach the FIFO now (see the constructor's `gate`). */
  get connected(): boolean {
    return this.gate();
  }

  /** Free FIFO bytes at `clock.now`; all of them while the gate drops packets. */
  free(): number {
    this.sync();
    if (!this.gate()) return SWO_FIFO_BYTES;
    return SWO_FIFO_BYTES - this.queue.length;
  }

  /** Bytes still in the FIFO or on the pin at `clock.now`. */
  get busy(): boolean {
    this.sync();
    return this.queue.length > 0;
  }

  /** Queue a whole packet; false (nothing queued) when it does not fit. Dropped (true) while the gate is closed. */
  push(bytes: readonly number[]): boolean {
    this.sync();
    if (!this.gate()) return true;
    if (this.queue.length + bytes.length > SWO_FIFO_BYTES) return false;
    for (const b of bytes) this.enqueue(b & 0xff);
    this.schedule();
    return true;
  }

  /** A packet was dropped: an Overflow packet (0x70) goes out as soon as there is room. */
  overflow(): void {
    if (!this.gate()) return;
    this.overflowPending = true;
    this.sync();
  }

  /** Retire the bytes that have left the pin by now (host-side readers call this too). */
  sync(): void {
    const now = this.clockStopped() ? Infinity : this.clock.now;
    while (this.queue.length && this.headEnd <= now) {
      const byte = this.queue.shift()!;
      const line = this.headLine;
      const end = this.headEnd;
      if (this.overflowPending) {
        this.overflowPending = false;
        this.queue.push(0x70);
      }
      if (this.queue.length) this.startHead(end);
      if (line) for (const l of this.listeners) l(byte, line);
    }
    if (this.overflowPending && this.queue.length < SWO_FIFO_BYTES) {
      this.overflowPending = false;
      this.enqueue(0x70);
    }
    this.schedule();
  }

  /** Reset: the FIFO empties, a pending overflow is forgotten. */
  reset(): void {
    this.queue.length = 0;
    this.overflowPending = false;
    this.headLine = null;
    this.clock.cancel(this.event);
    this.event = undefined;
  }

  private enqueue(byte: number): void {
    this.queue.push(byte);
    if (this.queue.length === 1) this.startHead(this.clock.now);
  }

  /** queue[0] starts at `at`: its end and line follow from the TPIU's settings then. */
  private startHead(at: number): void {
    this.headLine = this.currentLine();
    this.headEnd = at + 10 * (this.tpiu.acpr + 1);
  }

  private schedule(): void {
    if (!this.queue.length) {
      this.clock.cancel(this.event);
      this.event = undefined;
      return;
    }
    if (this.event?.active && this.event.at === this.headEnd) return;
    this.clock.cancel(this.event);
    this.event = this.clock.at(this.headEnd, () => {
      this.event = undefined;
      this.sync();
    });
  }
}
