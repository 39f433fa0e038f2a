// The CMSIS-DAP command processor: request packets in, response packets out, on top of a
// DebugWire. Transport-neutral (TCP, the hidapi bridge, tests all feed it packets).
//
// Packet rules (CMSIS-DAP v2.1):
// - a packet holds one command, or DAP_ExecuteCommands with several;
// - DAP_QueueCommands packets are held without a response until a packet of another
//   kind arrives; then each queued packet is executed and answered as
//   DAP_ExecuteCommands, followed by the answer to the new packet;
// - DAP_TransferAbort has no response; it stops a transfer in progress;
// - in the v1 (HID) flavour every response is padded to the packet size.
// A command that is truncated, cannot be answered within one packet, or has a bad field
// is answered with an error reply and has no effect (it is parsed in full before
// anything runs); an unknown command gets the one-byte reply 0xFF.
import type { DebugWire } from '../wire/debug-wire.js';
import { DapState, type DapContext, type ParsedCommand } from './command.js';
import { dapDeviceConfig, type DapDeviceConfig } from './device-config.js';
import { Cmd, DAP_ERROR, Resp } from './protocol.js';
import { Malformed, PacketReader, Truncated } from './packet-reader.js';
import { PacketWriter } from './packet-writer.js';
import { parseConnect, parseDelay, parseDisconnect, parseHostStatus, parseInfo, parseResetTarget, parseVendor } from './commands/general.js';
import { parseTransfer, parseTransferBlock, parseTransferConfigure, parseWriteAbort } from './commands/transfer.js';
import { parseSwdConfigure, parseSwdSequence, parseSwjClock, parseSwjPins, parseSwjSequence } from './commands/swj.js';
import { parseUnsupported } from './commands/unsupported.js';
import { parseUartCommand } from './commands/uart.js';
import { DapSwo, isSwoCommand, parseSwoCommand } from './commands/swo.js';
import { DapUart, type DapUartLink } from './uart-link.js';

export interface DapProcessorOptions {
  /** Where the processor reports malformed commands (one line each). */
  log?: (message: string) => void;
  /** The target's UART, for the UART COM commands over DAP; without it they answer "not supported". */
  uart?: DapUartLink;
}

/** The error reply for a command that could not be accepted. */
export function errorReply(id: number): Uint8Array {
  switch (id) {
    case Cmd.Info: return Uint8Array.of(Cmd.Info, 0);
    case Cmd.Transfer: return Uint8Array.of(Cmd.Transfer, 0, Resp.ERROR);
    case Cmd.TransferBlock: return Uint8Array.of(Cmd.TransferBlock, 0, 0, Resp.ERROR);
    case Cmd.ExecuteCommands:
    case Cmd.QueueCommands: return Uint8Array.of(Cmd.ExecuteCommands, 0);
    default: return Uint8Array.of(id, DAP_ERROR);
  }
}

export class DapProcessor {
  readonly state = new DapState();
  readonly config: DapDeviceConfig;
  /** The probe's UART to the target, if it has one. */
  readonly uart: DapUart | undefined;
  /** The SWO trace state, when the wire has an SWO capture. */
  readonly swo: DapSwo | undefined;
  private readonly ctx: DapContext;
  private queued: Uint8Array[] = [];
  private readonly t0 = performance.now();
  /** Counters, and the last malformed command's reason, for tests and logs. */
  stats = { packets: 0, commands: 0, malformed: 0, lastError: '' };

  constructor(
    readonly wire: DebugWire,
    config: Partial<DapDeviceConfig> | DapDeviceConfig = {},
    private readonly opts: DapProcessorOptions = {},
  ) {
    this.config = dapDeviceConfig(config);
    const t0 = this.t0;
    this.uart = opts.uart ? new DapUart(opts.uart) : undefined;
    this.swo = wire.swo ? new DapSwo(wire.swo) : undefined;
    this.ctx = {
      config: this.config,
      wire,
      state: this.state,
      uart: this.uart,
      timestamp: () => Math.floor((performance.now() - t0) * 1000) >>> 0,
    };
  }

  /** DAP_TransferAbort received out of band (while a packet is still running). */
  abort(): void {
    this.state.abortRequested = true;
  }

  /** One request packet; the responses it releases, in order (none, one, or several). */
  async handlePacket(packet: Uint8Array): Promise<Uint8Array[]> {
    this.stats.packets++;
    if (packet.length === 0) return [this.pad(Uint8Array.of(Cmd.Invalid))];
    const id = packet[0];
    if (id === Cmd.QueueCommands) {
      // Held until a packet of another kind arrives; bounded like a probe's packet buffers.
      if (this.queued.length >= 255) return [this.pad(this.malformed(Cmd.QueueCommands, 'more than 255 queued packets'))];
      this.queued.push(packet.slice(0, this.config.packetSize));
      return [];
    }
    const out: Uint8Array[] = [];
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) out.push(this.pad(await this.executeMany(q)));
    if (id === Cmd.TransferAbort) {
      this.state.abortRequested = true; // no response (spec); nothing is running between packets
      return out;
    }
    out.push(this.pad(await this.executePacket(packet)));
    return out;
  }

  /** Cancel queued packets (the host went away). */
  resetQueue(): void {
    this.queued = [];
  }

  /** The host went away: drop queued packets, stop listening to the UART, stop SWO capture. */
  close(): void {
    this.queued = [];
    this.uart?.close();
    this.swo?.close();
  }

  private pad(resp: Uint8Array): Uint8Array {
    if (this.config.flavour !== 'v1' || resp.length >= this.config.packetSize) return resp;
    const out = new Uint8Array(this.config.packetSize);
    out.set(resp);
    return out;
  }

  private malformed(id: number, why: string): Uint8Array {
    this.stats.malformed++;
    this.stats.lastError = `command 0x${id.toString(16).padStart(2, '0')}: ${why}`;
    this.opts.log?.(`CMSIS-DAP: malformed ${this.stats.lastError}`);
    return errorReply(id);
  }

  /** Parse one command (its ID already read). null: unknown command. */
  private parseCommand(id: number, r: PacketReader): ParsedCommand | null {
    const ctx = this.ctx;
    switch (id) {
      case Cmd.Info: return parseInfo(r, ctx);
      case Cmd.HostStatus: return parseHostStatus(r);
      case Cmd.Connect: return parseConnect(r);
      case Cmd.Disconnect: return parseDisconnect();
      case Cmd.TransferConfigure: return parseTransferConfigure(r);
      case Cmd.Transfer: return parseTransfer(r, ctx);
      case Cmd.TransferBlock: return parseTransferBlock(r, ctx);
      case Cmd.WriteAbort: return parseWriteAbort(r);
      case Cmd.Delay: return parseDelay(r);
      case Cmd.ResetTarget: return parseResetTarget();
      case Cmd.SwjPins: return parseSwjPins(r);
      case Cmd.SwjClock: return parseSwjClock(r);
      case Cmd.SwjSequence: return parseSwjSequence(r);
      case Cmd.SwdConfigure: return parseSwdConfigure(r);
      case Cmd.SwdSequence: return parseSwdSequence(r);
      default:
        if (id >= Cmd.VendorFirst && id <= Cmd.VendorLast) return parseVendor(id, r, ctx);
        if (this.uart && id >= Cmd.UartTransport && id <= Cmd.UartStatus) return parseUartCommand(id, r, this.uart, ctx);
        if (this.swo && isSwoCommand(id)) return parseSwoCommand(id, r, this.swo, ctx);
        return parseUnsupported(id, r);
    }
  }

  private async executePacket(packet: Uint8Array): Promise<Uint8Array> {
    const id = packet[0];
    if (id === Cmd.ExecuteCommands) return this.executeMany(packet);
    const r = new PacketReader(packet, 1, Math.min(packet.length, this.config.packetSize));
    let cmd: ParsedCommand | null;
    try {
      cmd = this.parseCommand(id, r);
    } catch (e) {
      if (e instanceof Truncated || e instanceof Malformed) return this.malformed(id, e.message);
      throw e;
    }
    if (cmd === null) return Uint8Array.of(Cmd.Invalid);
    if (cmd.maxResponse > this.config.packetSize) return this.malformed(id, `response of ${cmd.maxResponse} bytes exceeds the packet size`);
    const w = new PacketWriter(cmd.maxResponse);
    try {
      this.stats.commands++;
      await cmd.run(this.ctx, w);
    } catch (e) {
      return this.malformed(id, `failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return w.result();
  }

  /** DAP_ExecuteCommands (or a queued DAP_QueueCommands packet): all parsed first, then run. */
  private async executeMany(packet: Uint8Array): Promise<Uint8Array> {
    const r = new PacketReader(packet, 1, Math.min(packet.length, this.config.packetSize));
    const cmds: ParsedCommand[] = [];
    let total = 2;
    try {
      const n = r.u8('command count');
      for (let i = 0; i < n; i++) {
        const id = r.u8(`command ${i} ID`);
        if (id === Cmd.ExecuteCommands || id === Cmd.QueueCommands) throw new Malformed(`command ${i}: 0x${id.toString(16)} cannot be nested`);
        const cmd = this.parseCommand(id, r);
        if (cmd === null) throw new Malformed(`command ${i}: unknown command 0x${id.toString(16)}`);
        cmds.push(cmd);
        total += cmd.maxResponse;
      }
    } catch (e) {
      if (e instanceof Truncated || e instanceof Malformed) return this.malformed(Cmd.ExecuteCommands, e.message);
      throw e;
    }
    if (total > this.config.packetSize) return this.malformed(Cmd.ExecuteCommands, `responses of ${total} bytes exceed the packet size`);
    const w = new PacketWriter(total);
    w.u8(Cmd.ExecuteCommands).u8(cmds.length);
    let done = 0;
    while (done < cmds.length) {
      const cmd = cmds[done];
      // Adjacent commands of one batch (block writes) run together.
      let to = done + 1;
      if (cmd.batch) while (to < cmds.length && cmds[to].batch === cmd.batch) to++;
      const at = w.length;
      try {
        this.stats.commands += to - done;
        if (to - done > 1) await cmd.batch!.runMany(this.ctx, w, cmds.slice(done, to));
        else await cmd.run(this.ctx, w);
      } catch (e) {
        w.truncate(at);
        this.malformed(Cmd.ExecuteCommands, `command ${done} failed: ${e instanceof Error ? e.message : String(e)}`);
        break;
      }
      done = to;
    }
    w.patchU8(1, done);
    return w.result();
  }
}
