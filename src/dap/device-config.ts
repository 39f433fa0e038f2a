// What tsprobe's CMSIS-DAP device says about itself (DAP_Info strings) and which flavour
// of the protocol it speaks. v1 is the USB HID flavour: fixed 64-byte reports, one packet
// in flight. v2 is the bulk flavour: larger packets of variable length, several in flight.

export type DapProtocolFlavour = 'v1' | 'v2';

export interface DapDeviceConfig {
  flavour: DapProtocolFlavour;
  /** Bytes per command and per response (DAP_Info 0xFF). */
  packetSize: number;
  /** Packets a host may have in flight (DAP_Info 0xFE). */
  packetCount: number;
  vendor: string;
  /** Must contain "CMSIS-DAP": hosts find probes by this. */
  product: string;
  serialNumber: string;
  firmwareVersion: string;
  /** The CMSIS-DAP version implemented (DAP_Info 0x04). */
  protocolVersion: string;
  deviceVendor: string;
  deviceName: string;
  boardVendor: string;
  boardName: string;
  /** Returned by vendor command 0x80. */
  identification: string;
}

export const TSPROBE_VERSION = '0.1.0';

/** The defaults; `flavour` picks packet size and count unless given. */
export function dapDeviceConfig(over: Partial<DapDeviceConfig> = {}): DapDeviceConfig {
  const flavour = over.flavour ?? (over.packetSize !== undefined && over.packetSize <= 64 ? 'v1' : 'v2');
  const cfg: DapDeviceConfig = {
    flavour,
    packetSize: flavour === 'v1' ? 64 : 512,
    packetCount: flavour === 'v1' ? 1 : 4,
    vendor: 'tsprobe',
    product: 'tsprobe CMSIS-DAP',
    serialNumber: 'TSPROBE0001',
    firmwareVersion: TSPROBE_VERSION,
    protocolVersion: '2.1.0',
    deviceVendor: 'ARM',
    deviceName: '',
    boardVendor: 'tsprobe',
    boardName: '',
    identification: `tsprobe ${TSPROBE_VERSION} CMSIS-DAP device`,
    ...over,
  };
  if (!Number.isInteger(cfg.packetSize) || cfg.packetSize < 64 || cfg.packetSize > 0xffff) {
    throw new RangeError(`CMSIS-DAP packet size ${cfg.packetSize} is out of range (64..65535)`);
  }
  if (!Number.isInteger(cfg.packetCount) || cfg.packetCount < 1 || cfg.packetCount > 255) {
    throw new RangeError(`CMSIS-DAP packet count ${cfg.packetCount} is out of range (1..255)`);
  }
  if (!cfg.product.includes('CMSIS-DAP')) {
    throw new RangeError(`CMSIS-DAP product string '${cfg.product}' must contain "CMSIS-DAP" (hosts look for it)`);
  }
  return cfg;
}
