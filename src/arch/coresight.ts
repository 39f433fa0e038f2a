// CoreSight component identification (CoreSight Architecture Specification v2.0,
// ARMv7-M ARM appendix "Debug ITM and DWT packet protocol" / "ROM table").
// Every 4 KiB component ends with PIDR4-7, PIDR0-3 and CIDR0-3.
import { register } from './register.js';

/** Offsets in a component's 4 KiB block. */
export const CS_OFFSET = {
  DEVARCH: 0xfbc,
  DEVID: 0xfc8,
  DEVTYPE: 0xfcc,
  /** ROM tables use 0xFCC as MEMTYPE. */
  MEMTYPE: 0xfcc,
  PIDR4: 0xfd0, PIDR5: 0xfd4, PIDR6: 0xfd8, PIDR7: 0xfdc,
  PIDR0: 0xfe0, PIDR1: 0xfe4, PIDR2: 0xfe8, PIDR3: 0xfec,
  CIDR0: 0xff0, CIDR1: 0xff4, CIDR2: 0xff8, CIDR3: 0xffc,
} as const;

/** The 40-bit peripheral ID assembled from PIDR0-4 (PIDR4 in bits 39:32). */
export const PIDR = register('PIDR', 0xfe0, {
  // the low 32 bits; SIZE and JEP106 continuation live in PIDR4 (bits 39:32)
  REVAND: [31, 28],
  CMOD: [27, 24],
  REVISION: [23, 20],
  JEDEC: 19,
  JEP106_ID: [18, 12],
  PART: [11, 0],
});

/** CIDR1[7:4]: component class. */
export const CS_CLASS = { GENERIC_VERIFICATION: 0x0, ROM_TABLE: 0x1, CORESIGHT: 0x9, PTB: 0xb, DESS: 0xd, GENERIC_IP: 0xe, PRIMECELL: 0xf } as const;
export const CS_CLASS_NAME: Record<number, string> = { 0x1: 'ROM table', 0x9: 'CoreSight component', 0xe: 'generic IP component', 0xf: 'PrimeCell' };

/** The CIDR preamble: CIDR0=0x0D, CIDR1=class<<4, CIDR2=0x05, CIDR3=0xB1. */
export function componentId(cls: number): number {
  return (0xb1050000 | (cls << 12) | 0x0d) >>> 0;
}

/** A ROM table entry (32-bit format): ADDRESS_OFFSET[31:12], FORMAT bit 1, PRESENT bit 0. */
export const ROM_ENTRY = register('ROM entry', 0, { ADDRESS_OFFSET: [31, 12], FORMAT: 1, PRESENT: 0 });
/** Component address of a ROM table entry: signed offset from the table base. */
export function romEntryAddress(tableBase: number, entry: number): number {
  return (tableBase + (entry & 0xfffff000)) >>> 0;
}

/** The Cortex-M PPB ROM table (ARMv7-M). On Cortex-M7 it is one level below the processor ROM table at 0xE00FE000. */
export const PPB_ROM_TABLE = 0xe00ff000;
export const M7_PROCESSOR_ROM_TABLE = 0xe00fe000;

/** Peripheral ID (40 bits as number: PIDR4 << 32 | PIDR3..0) with ARM's JEP106 code. */
export function armPid(part: number, revision: number, size4k = 0): number {
  // PIDR0 = part[7:0]; PIDR1 = JEP106[3:0]<<4 | part[11:8]; PIDR2 = rev<<4 | JEDEC(1)<<3 | JEP106[6:4]; PIDR4 = size<<4 | cont(4)
  const jep = 0x3b;
  const low = (part & 0xfff) | ((jep & 0xf) << 12) | (1 << 19) | ((jep >> 4) << 16) | ((revision & 0xf) << 20);
  return (size4k << 4 | 0x4) * 0x100000000 + (low >>> 0);
}

/** Names of ARM components by (class, part), as a host reports them. */
export const ARM_PARTS: Record<string, string> = {
  'e:000': 'Cortex-M3 SCS',
  'e:00c': 'Cortex-M4/M7 SCS',
  'e:001': 'ITM',
  'e:002': 'DWT',
  'e:003': 'FPB (v1)',
  'e:00e': 'FPB (v2)',
  '9:923': 'Cortex-M3 TPIU',
  '9:9a1': 'Cortex-M4 TPIU',
  '9:9a9': 'Cortex-M7 TPIU',
  '9:924': 'Cortex-M3 ETM',
  '9:925': 'Cortex-M4 ETM',
  '9:975': 'Cortex-M7 ETM',
  '9:906': 'CTI',
  '1:4c3': 'Cortex-M3 ROM table',
  '1:4c4': 'Cortex-M4 ROM table',
  '1:4c7': 'Cortex-M7 PPB ROM table',
  '1:4c8': 'Cortex-M7 processor ROM table',
};
