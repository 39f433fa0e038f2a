// Reading a probe's SWO capture and decoding it as it comes: what `tsprobe swo` prints and
// what gdb's `monitor traceswo` sends to the gdb console. One poll takes everything the
// probe holds; `run()` polls until stopped.
import type { MemAccessPort } from '../adi/mem-ap.js';
import { PollLoop } from '../util/poll-loop.js';
import type { SwoCapture, SwoMode } from '../wire/debug-wire.js';
import { ItmDecoder, stimulusBytes, type ItmPacket } from './itm-decoder.js';
import { DEFAULT_SWO_MAX_BAUD, defaultSwoBaud, disableSwoTrace, enableSwoTrace, SwoSetupError, type TpiuLocation } from './swo.js';

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
  private readonly loop = new PollLoop(async () => (await this.poll()) > 0);

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
  run(intervalMs: number, untilMs = Infinity): Promise<void> {
    return this.loop.run(intervalMs, untilMs);
  }

  /** Make run() finish; resolves once its last poll has been handed out. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}

export interface SwoTraceOptions {
  mode?: SwoMode;
  /** Bit rate; default: the fastest up to 2 Mbaud that the TPIU makes from the trace clock (2 Mbaud when it is unknown). */
  baud?: number;
  /** TRACECLKIN; when given, TPIU and ITM are set up here, otherwise the target has done it. */
  traceClockHz?: number;
  /** Stimulus ports to enable (ITM_TER bits); default port 0. */
  ports?: number;
  /** The TPIU that drives the pin, when it is not the core's (a chip's SWO unit: src/targets gives it). */
  tpiu?: TpiuLocation;
}

/** A running SWO capture: the rates agreed, and its stream (poll it, or run() it). */
export interface SwoTrace {
  readonly mode: SwoMode;
  /** What the probe captures at. */
  readonly probeBaud: number;
  /** The TPIU's prescaler and exact rate, when tsprobe set it up. */
  readonly tpiu?: { prescaler: number; baud: number };
  readonly ports: number;
  readonly stream: SwoStream;
  /** Stop the stream and the capture, and turn the ITM off again if tsprobe set it up. */
  stop(): Promise<void>;
}

/**
 * Start SWO trace: configure the probe's capture, set up TPIU and ITM when the trace
 * clock is known (their rate must match the probe's within 3%), start capturing. What
 * `tsprobe swo`, gdb's `monitor traceswo` and scripts share.
 */
export async function startSwoTrace(swo: SwoCapture, mem: MemAccessPort, opts: SwoTraceOptions, handlers: SwoHandlers): Promise<SwoTrace> {
  const mode = opts.mode ?? 'uart';
  const ports = opts.ports ?? 1;
  const clk = opts.traceClockHz;
  const wanted = opts.baud ?? (clk !== undefined ? defaultSwoBaud(clk) : DEFAULT_SWO_MAX_BAUD);
  const probeBaud = await swo.configure(mode, wanted);
  if (probeBaud === 0) throw new SwoSetupError(`the probe cannot capture SWO at ${wanted} baud in ${mode} mode`);
  const tpiu = clk !== undefined ? await enableSwoTrace(mem, { mode, baud: probeBaud, traceClockHz: clk, ports, tpiu: opts.tpiu }) : undefined;
  await swo.start();
  const stream = new SwoStream(swo, handlers);
  return {
    mode,
    probeBaud,
    tpiu,
    ports,
    stream,
    async stop() {
      await stream.stop();
      await swo.stop().catch(() => undefined);
      if (tpiu) await disableSwoTrace(mem).catch(() => undefined);
    },
  };
}
