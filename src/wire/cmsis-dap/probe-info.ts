// What DAP_Info tells about a probe: capabilities, packet size and count, protocol
// version and the identifying strings (CMSIS-DAP v2.1, "DAP_Info").
import { Cap, Cmd, InfoId } from '../../dap/protocol.js';

export interface DapProbeInfo {
  vendor: string;
  product: string;
  serial: string;
  /** CMSIS-DAP protocol version string, e.g. "2.1.0" (v1 probes may say "1.10"). */
  protocolVersion: string;
  firmwareVersion: string;
  boardName: string;
  /** DAP_Info capabilities byte 0 (Cap.SWD, Cap.JTAG, ...). */
  capabilities: number;
  packetCount: number;
  packetSize: number;
  /** DAP_Info 0xFD, asked only of probes with an SWO capability. */
  swoBufferSize?: number;
}

/** The DAP_Info request for one id. */
export function infoRequest(id: number): Uint8Array {
  return Uint8Array.of(Cmd.Info, id);
}

/** The payload of a DAP_Info response (empty when the probe does not have that item). */
export function infoPayload(resp: Uint8Array): Uint8Array {
  if (resp.length < 2 || resp[0] !== Cmd.Info) return new Uint8Array(0);
  return resp.subarray(2, 2 + resp[1]);
}

export function infoString(resp: Uint8Array): string {
  const p = infoPayload(resp);
  let end = p.indexOf(0);
  if (end < 0) end = p.length;
  return Buffer.from(p.subarray(0, end)).toString('utf8');
}

export function infoNumber(resp: Uint8Array): number | undefined {
  const p = infoPayload(resp);
  if (p.length === 0) return undefined;
  let v = 0;
  for (let i = Math.min(p.length, 4) - 1; i >= 0; i--) v = v * 256 + p[i];
  return v >>> 0;
}

/** Ask all the items of DapProbeInfo with `ask` (one request, one response each). */
export async function readProbeInfo(ask: (req: Uint8Array) => Promise<Uint8Array>): Promise<DapProbeInfo> {
  const str = async (id: number) => infoString(await ask(infoRequest(id)));
  const num = async (id: number) => infoNumber(await ask(infoRequest(id)));
  const info: DapProbeInfo = {
    vendor: await str(InfoId.Vendor),
    product: await str(InfoId.Product),
    serial: await str(InfoId.SerialNumber),
    protocolVersion: await str(InfoId.ProtocolVersion),
    firmwareVersion: await str(InfoId.FirmwareVersion),
    boardName: await str(InfoId.BoardName),
    capabilities: (await num(InfoId.Capabilities)) ?? 0,
    // A probe that does not say: one packet in flight, the v1 HID report size.
    packetCount: (await num(InfoId.PacketCount)) || 1,
    packetSize: (await num(InfoId.PacketSize)) || 64,
  };
  if (info.capabilities & (Cap.SWO_UART | Cap.SWO_MANCHESTER)) info.swoBufferSize = (await num(InfoId.SwoBufferSize)) ?? 0;
  return info;
}

export function describeCapabilities(caps: number): string {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(Cap)) if (caps & bit) names.push(name);
  return names.join(' ') || 'none';
}
