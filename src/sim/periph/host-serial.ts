// The host side of a simulated UART, the same for every UART model: transmitted bytes
// go to `output`; bytes typed on the host queue like a terminal's line and enter the
// receiver one character time after it empties, so firmware that polls sees them
// arrive as on a wire and a run is reproducible for a given input.
// A model says when its receiver can take a byte, how long a character takes at its
// programmed rate, and what taking one does to its registers.
import type { Clock } from '../clock.js';

export abstract class HostSerial {
  /** Where transmitted bytes go (the host console, a pty, a test buffer). */
  output: (byte: number) => void = () => {};

  private readonly pending: number[] = [];
  private deliverEvent: ReturnType<Clock['after']> | undefined;

  constructor(protected readonly clock: Clock) {}

  /** Bytes typed on the host side, queued for the receiver. */
  input(bytes: Iterable<number>): void {
    for (const b of bytes) this.pending.push(b & 0xff);
    this.scheduleDelivery();
  }

  /** Host bytes not yet taken by the firmware. */
  get inputBacklog(): number {
    return this.pending.length;
  }

  /** Whether the receiver is enabled and its buffer empty. */
  protected abstract receiverReady(): boolean;
  /** Cycles one character takes on the wire at the programmed rate. */
  protected abstract charCycles(): number;
  /** The receiver takes a host byte (fills its buffer, sets its flags and interrupts). */
  protected abstract receive(byte: number): void;

  /** Call when the receiver may have become ready (buffer read, receiver enabled). */
  protected scheduleDelivery(): void {
    if (this.deliverEvent?.active || this.pending.length === 0 || !this.receiverReady()) return;
    this.deliverEvent = this.clock.after(this.charCycles(), () => {
      this.deliverEvent = undefined;
      if (this.pending.length === 0 || !this.receiverReady()) return;
      this.receive(this.pending.shift()!);
    });
  }

  /** Drop a delivery in flight (model reset); queued host bytes stay queued. */
  protected cancelDelivery(): void {
    this.clock.cancel(this.deliverEvent);
    this.deliverEvent = undefined;
  }
}
