// SWO trace commands (CMSIS-DAP v2.1 DAP_SWO_*), on the wire's SWO capture when it has
// one. Trace data is read through DAP_SWO_Data only: there is no separate trace endpoint.
import { Cap, Cmd, DAP_ERROR, DAP_OK } from '../protocol.js';
import type { PacketReader } from '../packet-reader.js';
import type { DapContext, ParsedCommand } from '../command.js';
import type { SwoCapture, SwoMode } from '../../wire/debug-wire.js';

/** Trace status bits (DAP_SWO_Status, _ExtendedStatus, _Data). */
export const SwoTraceStatus = { ACTIVE: 0x01, STREAM_ERROR: 0x40, OVERRUN: 0x80 } as const;

/** DAP_SWO_Mode values: index = protocol number. */
const MODES: readonly (SwoMode | null)[] = [null, 'uart', 'manchester'];

/** DAP_Info capability bits for a capture (none without one). */
export function swoCapabilities(capture: SwoCapture | undefined): number {
  if (!capture) return 0;
  return (capture.modes.includes('uart') ? Cap.SWO_UART : 0) | (capture.modes.includes('manchester') ? Cap.SWO_MANCHESTER : 0);
}

export function isSwoCommand(id: number): boolean {
  return (id >= Cmd.SwoTransport && id <= Cmd.SwoData) || id === Cmd.SwoExtendedStatus;
}

/** The connection's SWO state: what the host set, and the flags it has not been told yet. */
export class DapSwo {
  /** 0: none, 1: read through DAP_SWO_Data. */
  transport = 0;
  /** 0: off, 1: UART, 2: Manchester. */
  mode = 0;
  /** The baud rate the capture is set to (0: not set). */
  baud = 0;
  running = false;
  /** Sticky until reported in a trace status byte (the capture reports each only once). */
  private overrun = false;
  private streamError = false;
  /** Bytes handed to the host since the start (mod 2^32). */
  private taken = 0;

  constructor(readonly capture: SwoCapture) {}

  /** Read from the capture, keeping its flags until they are reported. */
  async read(max: number): Promise<{ data: Uint8Array; pending: number }> {
    const r = await this.capture.read(max);
    if (r.overrun) this.overrun = true;
    if (r.error) this.streamError = true;
    this.running = r.active; // the capture may have stopped by itself
    this.taken = (this.taken + r.data.length) >>> 0;
    return { data: r.data, pending: r.pending };
  }

  /** The trace status byte; reporting it clears the sticky flags. */
  reportStatus(): number {
    const s = (this.running ? SwoTraceStatus.ACTIVE : 0) | (this.streamError ? SwoTraceStatus.STREAM_ERROR : 0) | (this.overrun ? SwoTraceStatus.OVERRUN : 0);
    this.overrun = false;
    this.streamError = false;
    return s;
  }

  /** Sequence number of the next trace byte: bytes captured since the start. */
  index(pending: number): number {
    return (this.taken + pending) >>> 0;
  }

  async start(): Promise<boolean> {
    if (this.running) return true;
    if (this.mode === 0 || this.baud === 0) return false;
    // Running before the await, so that a close() meanwhile stops it.
    this.running = true;
    try {
      await this.capture.start();
    } catch {
      this.running = false;
      return false;
    }
    // Starting flushes what was captured before (spec), and with it the old flags.
    this.taken = 0;
    this.overrun = false;
    this.streamError = false;
    return true;
  }

  async stop(): Promise<boolean> {
    if (!this.running) return true;
    try {
      await this.capture.stop();
    } catch {
      return false;
    }
    this.running = false;
    return true;
  }

  /** The host went away: stop a running capture (the stop call is made before this returns). */
  close(): void {
    if (!this.running) return;
    this.running = false;
    try {
      this.capture.stop().catch(() => {});
    } catch {
      /* the wire is gone: nothing left to stop */
    }
  }
}

export function parseSwoCommand(id: number, r: PacketReader, swo: DapSwo, ctx: DapContext): ParsedCommand | null {
  switch (id) {
    case Cmd.SwoTransport: {
      const t = r.u8('transport');
      return {
        maxResponse: 2,
        run(_c, w) {
          // 2 (a separate trace endpoint) does not exist here.
          const ok = !swo.running && (t === 0 || t === 1);
          if (ok) swo.transport = t;
          w.u8(id).u8(ok ? DAP_OK : DAP_ERROR);
        },
      };
    }
    case Cmd.SwoMode: {
      const m = r.u8('mode');
      return {
        maxResponse: 2,
        run(_c, w) {
          const name = MODES[m];
          const ok = !swo.running && (m === 0 || (name != null && swo.capture.modes.includes(name)));
          if (ok && m !== swo.mode) {
            swo.mode = m;
            swo.baud = 0; // the capture was configured for the old mode
          }
          w.u8(id).u8(ok ? DAP_OK : DAP_ERROR);
        },
      };
    }
    case Cmd.SwoBaudrate: {
      const wanted = r.u32('baudrate');
      return {
        maxResponse: 5,
        async run(_c, w) {
          if (swo.running) {
            w.u8(id).u32(0);
            return;
          }
          const name = MODES[swo.mode];
          let actual = 0;
          if (name && wanted > 0) {
            try {
              actual = (await swo.capture.configure(name, wanted)) >>> 0;
            } catch {
              actual = 0;
            }
          }
          swo.baud = actual;
          w.u8(id).u32(actual);
        },
      };
    }
    case Cmd.SwoControl: {
      const c = r.u8('control');
      return {
        maxResponse: 2,
        async run(_c, w) {
          let ok = false;
          if (c === 1) ok = await swo.start();
          else if (c === 0) ok = await swo.stop();
          w.u8(id).u8(ok ? DAP_OK : DAP_ERROR);
        },
      };
    }
    case Cmd.SwoStatus:
      return {
        maxResponse: 6,
        async run(_c, w) {
          const { pending } = await swo.read(0);
          w.u8(id).u8(swo.reportStatus()).u32(pending);
        },
      };
    case Cmd.SwoExtendedStatus: {
      const control = r.u8('control');
      // Only the requested fields are sent, in order (the spec marks them variable).
      const size = 1 + (control & 1 ? 1 : 0) + (control & 2 ? 4 : 0) + (control & 4 ? 8 : 0);
      return {
        maxResponse: size,
        async run(c, w) {
          const { pending } = await swo.read(0);
          w.u8(id);
          if (control & 1) w.u8(swo.reportStatus());
          if (control & 2) w.u32(pending);
          if (control & 4) w.u32(swo.index(pending)).u32(c.timestamp());
        },
      };
    }
    case Cmd.SwoData: {
      const wanted = r.u16('count');
      const room = Math.max(0, Math.min(wanted, ctx.config.packetSize - 4));
      return {
        maxResponse: 4 + room,
        async run(_c, w) {
          const { data } = await swo.read(swo.transport === 1 ? room : 0);
          w.u8(id).u8(swo.reportStatus()).u16(data.length).bytes(data);
        },
      };
    }
    default:
      return null;
  }
}
