// The two phases of a command: parse (read every field, check that the response will
// fit in a packet; throws Truncated/Malformed and changes nothing) and run (act on the
// wire and write the response). Parsing everything first is what keeps a malformed
// command, or a malformed command inside DAP_ExecuteCommands, from leaving half state.
import type { DebugWire } from '../wire/debug-wire.js';
import type { DapDeviceConfig } from './device-config.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { DapUart } from './uart-link.js';

/** The device's state that commands read and change. */
export class DapState {
  /** 0 = disconnected, 1 = SWD (JTAG is not implemented). */
  port = 0;
  idleCycles = 0;
  waitRetry = 100;
  matchRetry = 0;
  matchMask = 0xffffffff;
  swdTurnaround = 1;
  swdDataPhase = false;
  clockHz = 1_000_000;
  /** Pin levels as last driven by DAP_SWJ_Pins (nRESET high = released). */
  pins = 0x01 | 0x02 | 0x04 | 0x20 | 0x80;
  ledConnect = false;
  ledRunning = false;
  /** Set by DAP_TransferAbort; checked between wire operations of a running transfer. */
  abortRequested = false;
}

export interface DapContext {
  readonly config: DapDeviceConfig;
  readonly wire: DebugWire;
  readonly state: DapState;
  /** The probe's UART to the target, when it has one. */
  readonly uart?: DapUart;
  /** Microseconds on the Test Domain Timer (DAP_Info 0xF1 gives its rate). */
  timestamp(): number;
}

export interface ParsedCommand {
  /** Largest response this command can produce, in bytes. */
  readonly maxResponse: number;
  run(ctx: DapContext, w: PacketWriter): Promise<void> | void;
  /**
   * Adjacent commands of one DAP_ExecuteCommands packet with the same batch run together
   * through it (block writes in one wire call); each still answers for itself, as if run
   * alone.
   */
  readonly batch?: CommandBatch;
}

export interface CommandBatch {
  /** Run `cmds` (two or more, all of this batch) in order, writing each one's response. */
  runMany(ctx: DapContext, w: PacketWriter, cmds: readonly ParsedCommand[]): Promise<void>;
}

export type CommandParser = (r: PacketReader, ctx: DapContext) => ParsedCommand;

/** A command whose response is fixed bytes. */
export function fixedReply(bytes: number[], act?: (ctx: DapContext) => Promise<void> | void): ParsedCommand {
  return {
    maxResponse: bytes.length,
    async run(ctx, w) {
      if (act) await act(ctx);
      for (const b of bytes) w.u8(b);
    },
  };
}
