// Access Port registers (ADIv5.2 MEM-AP). `address` is the AP register address
// (APBANKSEL << 4 | A[3:2] << 2).
import { register } from './register.js';

/** MEM-AP CSW (0x00). Bits 31:24 are the bus-specific Prot field (AHB: HPROT and more). */
export const CSW = register('CSW', 0x00, {
  DbgSwEnable: 31,
  Prot: [30, 24],
  SPIDEN: 23,
  Type: [15, 12],
  Mode: [11, 8],
  TrInProg: 7,
  DeviceEn: 6,
  AddrInc: [5, 4],
  Size: [2, 0],
});
/** CSW.Size values. */
export const CSW_SIZE = { BYTE: 0, HALF: 1, WORD: 2 } as const;
/** CSW.AddrInc values. */
export const CSW_ADDRINC = { OFF: 0, SINGLE: 1, PACKED: 2 } as const;
/** AHB-AP Prot bits: HPROT[0] data access, HPROT[1] privileged, bit 29 MasterType debug (Cortex-M AHB-AP). */
export const CSW_PROT_DATA = 1 << 24;
export const CSW_PROT_PRIVILEGED = 1 << 25;
export const CSW_MASTER_DEBUG = 1 << 29;

export const TAR = register('TAR', 0x04, { ADDR: [31, 0] });
export const DRW = register('DRW', 0x0c, { DATA: [31, 0] });
/** Banked data registers BD0-BD3 at 0x10-0x1C: access TAR[31:4] + n*4 without changing TAR. */
export const BD_ADDR = [0x10, 0x14, 0x18, 0x1c] as const;
export const CFG = register('CFG', 0xf4, { LD: 2, LA: 1, BE: 0 });
/** BASE (0xF8): debug base address of the ROM table; FORMAT=1 (ADIv5), PRESENT. */
export const BASE = register('BASE', 0xf8, { BASEADDR: [31, 12], FORMAT: 1, PRESENT: 0 });
/** IDR (0xFC). */
export const IDR = register('IDR', 0xfc, {
  REVISION: [31, 28],
  DESIGNER: [27, 17],
  CLASS: [16, 13],
  VARIANT: [7, 4],
  TYPE: [3, 0],
});
/** IDR.CLASS: 0b1000 is a MEM-AP. */
export const AP_CLASS_MEM = 0x8;
/** IDR.TYPE of a MEM-AP. */
export const AP_TYPE = { JTAG: 0x0, AHB3: 0x1, APB2_3: 0x2, AXI: 0x4, AHB5: 0x5, APB4: 0x6, AXI5: 0x7, AHB5_HPROT: 0x8 } as const;

/** AP register addresses. */
export const AP_ADDR = { CSW: 0x00, TAR: 0x04, TAR_HI: 0x08, DRW: 0x0c, BD0: 0x10, BD1: 0x14, BD2: 0x18, BD3: 0x1c, MBT: 0x20, CFG: 0xf4, BASE: 0xf8, IDR: 0xfc } as const;

/** TAR auto-increment is only guaranteed inside a 1 KiB block (ADIv5.2 C2.2.2). */
export const TAR_AUTOINC_BLOCK = 0x400;
