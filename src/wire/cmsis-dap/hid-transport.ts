// CMSIS-DAP v1: packets in USB HID reports, through the `node-hid` package (loaded only
// when a HID probe is used). A probe is recognised as OpenOCD and pyOCD recognise it: its
// product string contains "CMSIS-DAP".
import { loadOptional, permissionHint } from './optional-module.js';
import { TransportError, type DapTransport } from './transport.js';

/** The part of node-hid's API tsprobe uses (node-hid 3: devicesAsync, HIDAsync). */
export interface NodeHidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  interface?: number;
}
export interface NodeHidDevice {
  write(data: number[] | Buffer): Promise<number>;
  read(timeOutMs?: number): Promise<Buffer | undefined>;
  close(): Promise<void>;
}
export interface NodeHidModule {
  devicesAsync(): Promise<NodeHidDeviceInfo[]>;
  HIDAsync: { open(path: string): Promise<NodeHidDevice> };
}

/** HID reports of CMSIS-DAP v1 probes are 64 bytes (a few use 512 on high-speed USB: DAP_Info says). */
export const HID_REPORT_SIZE = 64;

export function isCmsisDapHid(d: NodeHidDeviceInfo): boolean {
  return /CMSIS-DAP/i.test(d.product ?? '');
}

export async function loadNodeHid(): Promise<NodeHidModule> {
  return loadOptional<NodeHidModule>('node-hid', 'a USB HID (CMSIS-DAP v1) probe');
}

export async function listHidProbes(): Promise<NodeHidDeviceInfo[]> {
  const hid = await loadNodeHid();
  return (await hid.devicesAsync()).filter(isCmsisDapHid);
}

export class HidDapTransport implements DapTransport {
  readonly maxPacketSize: number;

  private constructor(private readonly dev: NodeHidDevice, readonly description: string, reportSize: number) {
    this.maxPacketSize = reportSize;
  }

  static async open(info: NodeHidDeviceInfo, reportSize = HID_REPORT_SIZE): Promise<HidDapTransport> {
    const hid = await loadNodeHid();
    const description = `usb:${hex4(info.vendorId)}:${hex4(info.productId)}${info.serialNumber ? ':' + info.serialNumber : ''} (HID)`;
    if (!info.path) throw new TransportError(`${description}: node-hid gave no device path`);
    try {
      return new HidDapTransport(await hid.HIDAsync.open(info.path), description, reportSize);
    } catch (e) {
      throw new TransportError(`cannot open the CMSIS-DAP probe ${description}: ${(e as Error).message}${permissionHint(e)}`);
    }
  }

  async send(packet: Uint8Array): Promise<void> {
    if (packet.length > this.maxPacketSize) throw new TransportError(`${this.description}: packet of ${packet.length} bytes exceeds the ${this.maxPacketSize}-byte HID report`);
    // Report ID 0, then the packet padded to the full report.
    const report = new Array<number>(this.maxPacketSize + 1).fill(0);
    for (let i = 0; i < packet.length; i++) report[i + 1] = packet[i];
    try {
      await this.dev.write(report);
    } catch (e) {
      throw new TransportError(`${this.description}: USB write failed: ${(e as Error).message} (unplugged?)`);
    }
  }

  async receive(timeoutMs: number): Promise<Uint8Array> {
    let data: Buffer | undefined;
    try {
      data = await this.dev.read(timeoutMs);
    } catch (e) {
      throw new TransportError(`${this.description}: USB read failed: ${(e as Error).message} (unplugged?)`);
    }
    if (!data || data.length === 0) throw new TransportError(`${this.description}: no CMSIS-DAP response within ${timeoutMs} ms`);
    return new Uint8Array(data);
  }

  async close(): Promise<void> {
    await this.dev.close();
  }
}

export const hex4 = (n: number) => n.toString(16).padStart(4, '0');
