// The USB CMSIS-DAP probes attached to this machine, through whichever of the optional
// packages (`node-hid` for v1, `usb` for v2) can be loaded. A v2 probe usually also has a
// HID interface: it is listed once, as bulk (faster).
import { listHidProbes, HidDapTransport, type NodeHidDeviceInfo } from '../wire/cmsis-dap/hid-transport.js';
import { listBulkProbes, BulkDapTransport, type BulkProbeInfo } from '../wire/cmsis-dap/bulk-transport.js';
import { MissingModuleError } from '../wire/cmsis-dap/optional-module.js';
import type { DapTransport } from '../wire/cmsis-dap/transport.js';

export interface UsbProbe {
  kind: 'hid' | 'bulk';
  vendorId: number;
  productId: number;
  manufacturer: string;
  product: string;
  serial: string;
  /** Open its transport (claims the device). */
  open(): Promise<DapTransport>;
  /** Let go of a probe that was found but not opened. */
  release(): void;
}

export interface UsbScan {
  probes: UsbProbe[];
  /** Why a kind of probe could not be looked for (a package missing), one line each. */
  notes: string[];
}

export async function scanUsbProbes(): Promise<UsbScan> {
  const probes: UsbProbe[] = [];
  const notes: string[] = [];
  let bulk: BulkProbeInfo[] = [];
  try {
    bulk = await listBulkProbes();
  } catch (e) {
    notes.push(e instanceof MissingModuleError ? `USB bulk (CMSIS-DAP v2) probes not searched: the optional package 'usb' is not installed (npm install usb)` : `USB bulk scan failed: ${(e as Error).message}`);
  }
  for (const b of bulk) {
    probes.push({
      kind: 'bulk',
      vendorId: b.vendorId,
      productId: b.productId,
      manufacturer: b.manufacturer,
      product: b.product,
      serial: b.serialNumber,
      open: () => BulkDapTransport.open(b),
      release: () => {
        try {
          b.device.close();
        } catch {
          // already closed
        }
      },
    });
  }
  let hid: NodeHidDeviceInfo[] = [];
  try {
    hid = await listHidProbes();
  } catch (e) {
    notes.push(e instanceof MissingModuleError ? `USB HID (CMSIS-DAP v1) probes not searched: the optional package 'node-hid' is not installed (npm install node-hid)` : `USB HID scan failed: ${(e as Error).message}`);
  }
  for (const h of hid) {
    // The HID interface of a probe already found as bulk: the same probe.
    if (probes.some((p) => p.vendorId === h.vendorId && p.productId === h.productId && p.serial === (h.serialNumber ?? ''))) continue;
    probes.push({
      kind: 'hid',
      vendorId: h.vendorId,
      productId: h.productId,
      manufacturer: h.manufacturer ?? '',
      product: h.product ?? '',
      serial: h.serialNumber ?? '',
      open: () => HidDapTransport.open(h),
      release: () => undefined,
    });
  }
  return { probes, notes };
}
