// General commands: DAP_Info, DAP_HostStatus, DAP_Connect, DAP_Disconnect, DAP_Delay,
// DAP_ResetTarget, and tsprobe's vendor commands.
import { Cap, Cmd, DAP_ERROR, DAP_OK, InfoId, Port } from '../protocol.js';
import { Malformed, type PacketReader } from '../packet-reader.js';
import { fixedReply, type DapContext, type ParsedCommand } from '../command.js';
import { UART_RX_BUFFER, UART_TX_BUFFER } from '../uart-link.js';
import { swoCapabilities } from './swo.js';

const utf8 = new TextEncoder();

/**
 * Capabilities: SWD, atomic commands, timestamps; UART over DAP when there is a UART, SWO
 * modes when the wire has a capture (never SWO streaming: no trace endpoint). No JTAG.
 */
export const DEVICE_CAPABILITIES = Cap.SWD | Cap.ATOMIC | Cap.TIMESTAMP;
export const TIMESTAMP_CLOCK_HZ = 1_000_000;

/** The DAP_Info payload for `id` (empty when the device has nothing to say). */
export function infoPayload(id: number, ctx: DapContext): Uint8Array {
  const c = ctx.config;
  const str = (s: string): Uint8Array => {
    if (s === '') return new Uint8Array(0);
    const b = utf8.encode(s);
    const out = new Uint8Array(b.length + 1); // strings are sent with their NUL terminator
    out.set(b);
    return out;
  };
  const le = (v: number, n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (v >>> (8 * i)) & 0xff;
    return out;
  };
  switch (id) {
    case InfoId.Vendor: return str(c.vendor);
    case InfoId.Product: return str(c.product);
    case InfoId.SerialNumber: return str(c.serialNumber);
    case InfoId.ProtocolVersion: return str(c.protocolVersion);
    case InfoId.DeviceVendor: return str(c.deviceVendor);
    case InfoId.DeviceName: return str(c.deviceName);
    case InfoId.BoardVendor: return str(c.boardVendor);
    case InfoId.BoardName: return str(c.boardName);
    case InfoId.FirmwareVersion: return str(c.firmwareVersion);
    case InfoId.Capabilities: return le(DEVICE_CAPABILITIES | (ctx.uart ? Cap.UART_DAP : 0) | swoCapabilities(ctx.wire.swo), 1);
    case InfoId.TimestampClock: return le(TIMESTAMP_CLOCK_HZ, 4);
    case InfoId.PacketCount: return le(c.packetCount, 1);
    case InfoId.PacketSize: return le(c.packetSize, 2);
    case InfoId.UartRxBufferSize: return ctx.uart ? le(UART_RX_BUFFER, 4) : new Uint8Array(0);
    case InfoId.UartTxBufferSize: return ctx.uart ? le(UART_TX_BUFFER, 4) : new Uint8Array(0);
    case InfoId.SwoBufferSize: return ctx.wire.swo ? le(ctx.wire.swo.bufferSize, 4) : new Uint8Array(0);
    default: return new Uint8Array(0);
  }
}

export function parseInfo(r: PacketReader, ctx: DapContext): ParsedCommand {
  const id = r.u8('info ID');
  const payload = infoPayload(id, ctx);
  if (payload.length > 255) throw new Malformed(`DAP_Info ${id}: value longer than 255 bytes`);
  return {
    maxResponse: 2 + payload.length,
    run(_ctx, w) {
      w.u8(Cmd.Info).u8(payload.length).bytes(payload);
    },
  };
}

export function parseHostStatus(r: PacketReader): ParsedCommand {
  const type = r.u8('status type');
  const status = r.u8('status');
  const ok = type <= 1 && status <= 1;
  return fixedReply([Cmd.HostStatus, ok ? DAP_OK : DAP_ERROR], (ctx) => {
    if (!ok) return;
    if (type === 0) ctx.state.ledConnect = status === 1;
    else ctx.state.ledRunning = status === 1;
  });
}

export function parseConnect(r: PacketReader): ParsedCommand {
  const port = r.u8('port');
  // The default port is SWD (the only one there is); JTAG fails with port 0 as the spec says.
  const chosen = port === Port.Default || port === Port.SWD ? Port.SWD : 0;
  return fixedReply([Cmd.Connect, chosen], (ctx) => {
    ctx.state.port = chosen; // a failed connect leaves the debug port disabled
  });
}

export function parseDisconnect(): ParsedCommand {
  return fixedReply([Cmd.Disconnect, DAP_OK], (ctx) => {
    ctx.state.port = 0;
  });
}

/** Wait `us` microseconds: sleep for long waits, spin briefly for short ones. */
export async function delayMicroseconds(us: number): Promise<void> {
  if (us >= 1000) {
    await new Promise((resolve) => setTimeout(resolve, Math.round(us / 1000)));
    return;
  }
  const until = performance.now() + us / 1000;
  while (performance.now() < until) {
    /* spin: less than a millisecond */
  }
}

export function parseDelay(r: PacketReader): ParsedCommand {
  const us = r.u16('delay');
  return fixedReply([Cmd.Delay, DAP_OK], () => delayMicroseconds(us));
}

/** DAP_ResetTarget: the device's reset sequence is an nRST pulse. */
export function parseResetTarget(): ParsedCommand {
  return {
    maxResponse: 3,
    async run(ctx, w) {
      let status = DAP_OK;
      try {
        await ctx.wire.setReset(true);
        await delayMicroseconds(100);
        await ctx.wire.setReset(false);
      } catch {
        status = DAP_ERROR;
      }
      w.u8(Cmd.ResetTarget).u8(status).u8(1); // 1: a reset sequence is implemented
    },
  };
}

/** Vendor commands. 0x80: identification string; 0x81: what the wire reaches; 0x82: packet size. */
export const VENDOR_IDENTIFY = 0x80;
export const VENDOR_WIRE_DESCRIPTION = 0x81;
/**
 * tsprobe's packet-size extension, for hosts that know they talk to tsprobe (its own
 * CMSIS-DAP host over TCP): request [0x82, size u16], response [0x82, status, size u16].
 * The connection then takes packets of that size (64..65535; DAP_Info 0xFF says so too).
 * USB packet sizes are fixed by the endpoints, and OpenOCD 0.12 cannot use packets above
 * 1 KiB, so the advertised size stays what it was for everyone who does not ask. The
 * v1 (HID report) flavour keeps its 64 bytes and answers DAP_ERROR.
 */
export const VENDOR_PACKET_SIZE = 0x82;
export const MAX_NEGOTIATED_PACKET_SIZE = 0xffff;

export function parseVendor(id: number, r: PacketReader, ctx: DapContext): ParsedCommand | null {
  if (id === VENDOR_PACKET_SIZE) {
    const wanted = r.u16('packet size');
    return {
      maxResponse: 4,
      run(c, w) {
        const ok = c.config.flavour === 'v2' && wanted >= 64;
        if (ok) c.config.packetSize = Math.min(wanted, MAX_NEGOTIATED_PACKET_SIZE);
        w.u8(id).u8(ok ? DAP_OK : DAP_ERROR).u16(c.config.packetSize);
      },
    };
  }
  let text: string;
  if (id === VENDOR_IDENTIFY) text = ctx.config.identification;
  else if (id === VENDOR_WIRE_DESCRIPTION) text = ctx.wire.description;
  else return null;
  const b = utf8.encode(text).subarray(0, Math.min(255, ctx.config.packetSize - 2));
  return {
    maxResponse: 2 + b.length,
    run(_ctx, w) {
      w.u8(id).u8(b.length).bytes(b);
    },
  };
}
