// CMSIS-DAP v2: packets on a pair of USB bulk endpoints, through the `usb` package (loaded
// only when a bulk probe is used). The interface is the one whose string descriptor
// contains "CMSIS-DAP" (as OpenOCD and pyOCD find it); its first bulk OUT and first bulk
// IN endpoints carry requests and responses (a third, SWO, is left alone).
import { loadOptional, permissionHint } from './optional-module.js';
import { TransportError, type DapTransport } from './transport.js';
import { hex4 } from './hid-transport.js';

/** The part of the `usb` package's legacy (libusb) API that tsprobe uses. */
export interface UsbEndpoint {
  direction: 'in' | 'out';
  transferType: number;
  timeout: number;
  transfer(arg: number | Buffer, cb: (err: Error | undefined, data?: Buffer) => void): unknown;
}
export interface UsbInterface {
  descriptor: { iInterface: number; bInterfaceClass: number; bInterfaceNumber: number };
  endpoints: UsbEndpoint[];
  claim(): void;
  release(cb?: (err?: Error) => void): void;
}
export interface UsbDevice {
  deviceDescriptor: { idVendor: number; idProduct: number; iSerialNumber: number; iProduct: number; iManufacturer: number };
  interfaces?: UsbInterface[];
  open(): void;
  close(): void;
  getStringDescriptor(index: number, cb: (err: Error | undefined, value?: string) => void): void;
}
export interface UsbModule {
  getDeviceList(): UsbDevice[];
}

const BULK = 2; // LIBUSB_TRANSFER_TYPE_BULK

export async function loadUsb(): Promise<UsbModule> {
  return loadOptional<UsbModule>('usb', 'a USB bulk (CMSIS-DAP v2) probe');
}

export function stringDescriptor(dev: UsbDevice, index: number): Promise<string> {
  if (!index) return Promise.resolve('');
  return new Promise((resolve) => dev.getStringDescriptor(index, (err, v) => resolve(err ? '' : (v ?? ''))));
}

export interface BulkProbeInfo {
  device: UsbDevice;
  vendorId: number;
  productId: number;
  manufacturer: string;
  product: string;
  serialNumber: string;
  iface: UsbInterface;
}

/** Open `dev` and find its CMSIS-DAP v2 interface; undefined (device closed again) when it has none. */
export async function inspectBulkDevice(dev: UsbDevice): Promise<BulkProbeInfo | undefined> {
  try {
    dev.open();
  } catch {
    return undefined; // not ours to open (or no permission): HID listing may still see it
  }
  for (const iface of dev.interfaces ?? []) {
    if (iface.descriptor.bInterfaceClass !== 0xff) continue;
    const name = await stringDescriptor(dev, iface.descriptor.iInterface);
    if (!/CMSIS-DAP/i.test(name)) continue;
    const d = dev.deviceDescriptor;
    return {
      device: dev,
      vendorId: d.idVendor,
      productId: d.idProduct,
      manufacturer: await stringDescriptor(dev, d.iManufacturer),
      product: await stringDescriptor(dev, d.iProduct),
      serialNumber: await stringDescriptor(dev, d.iSerialNumber),
      iface,
    };
  }
  dev.close();
  return undefined;
}

/** Every CMSIS-DAP v2 probe attached (each left open: close the ones not used). */
export async function listBulkProbes(): Promise<BulkProbeInfo[]> {
  const usb = await loadUsb();
  const found: BulkProbeInfo[] = [];
  for (const dev of usb.getDeviceList()) {
    const p = await inspectBulkDevice(dev);
    if (p) found.push(p);
  }
  return found;
}

export class BulkDapTransport implements DapTransport {
  readonly description: string;

  private constructor(private readonly probe: BulkProbeInfo, private readonly out: UsbEndpoint, private readonly inp: UsbEndpoint) {
    this.description = `usb:${hex4(probe.vendorId)}:${hex4(probe.productId)}${probe.serialNumber ? ':' + probe.serialNumber : ''} (bulk)`;
  }

  /** Claim the probe's CMSIS-DAP interface (from listBulkProbes). */
  static async open(probe: BulkProbeInfo): Promise<BulkDapTransport> {
    const eps = probe.iface.endpoints.filter((e) => e.transferType === BULK);
    const out = eps.find((e) => e.direction === 'out');
    const inp = eps.find((e) => e.direction === 'in');
    const name = `usb:${hex4(probe.vendorId)}:${hex4(probe.productId)}`;
    if (!out || !inp) throw new TransportError(`CMSIS-DAP probe ${name}: its CMSIS-DAP interface has no bulk IN/OUT endpoint pair`);
    try {
      probe.iface.claim();
    } catch (e) {
      throw new TransportError(`cannot claim the CMSIS-DAP interface of ${name}: ${(e as Error).message}${permissionHint(e) || ' (is another debugger using the probe?)'}`);
    }
    return new BulkDapTransport(probe, out, inp);
  }

  send(packet: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.transfer(Buffer.from(packet), (err) =>
        err ? reject(new TransportError(`${this.description}: USB write failed: ${err.message}${permissionHint(err) || ' (unplugged?)'}`)) : resolve(),
      );
    });
  }

  receive(timeoutMs: number): Promise<Uint8Array> {
    this.inp.timeout = timeoutMs;
    return new Promise((resolve, reject) => {
      // A read of the largest packet any probe uses; the probe ends it short.
      this.inp.transfer(65536, (err, data) => {
        if (err) {
          const timedOut = /TIMEOUT/i.test(err.message);
          reject(new TransportError(`${this.description}: ${timedOut ? `no CMSIS-DAP response within ${timeoutMs} ms` : `USB read failed: ${err.message} (unplugged?)`}`));
        } else resolve(new Uint8Array(data ?? Buffer.alloc(0)));
      });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.probe.iface.release(() => resolve()));
    try {
      this.probe.device.close();
    } catch {
      // already gone
    }
  }
}
