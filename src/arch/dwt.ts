// Data Watchpoint and Trace unit (ARMv7-M ARM C1.8).
import { register } from './register.js';

export const DWT_BASE = 0xe0001000;

export const DWT_CTRL = register('DWT_CTRL', 0xe0001000, {
  NUMCOMP: [31, 28],
  NOTRCPKT: 27,
  NOEXTTRIG: 26,
  NOCYCCNT: 25,
  NOPRFCNT: 24,
  CYCEVTENA: 22,
  FOLDEVTENA: 21,
  LSUEVTENA: 20,
  SLEEPEVTENA: 19,
  EXCEVTENA: 18,
  CPIEVTENA: 17,
  EXCTRCENA: 16,
  PCSAMPLENA: 12,
  SYNCTAP: [11, 10],
  CYCTAP: 9,
  POSTINIT: [8, 5],
  POSTPRESET: [4, 1],
  CYCCNTENA: 0,
});
export const DWT_CYCCNT = register('DWT_CYCCNT', 0xe0001004, { CYCCNT: [31, 0] });
export const DWT_CPICNT = register('DWT_CPICNT', 0xe0001008, { CPICNT: [7, 0] });
export const DWT_EXCCNT = register('DWT_EXCCNT', 0xe000100c, { EXCCNT: [7, 0] });
export const DWT_SLEEPCNT = register('DWT_SLEEPCNT', 0xe0001010, { SLEEPCNT: [7, 0] });
export const DWT_LSUCNT = register('DWT_LSUCNT', 0xe0001014, { LSUCNT: [7, 0] });
export const DWT_FOLDCNT = register('DWT_FOLDCNT', 0xe0001018, { FOLDCNT: [7, 0] });
export const DWT_PCSR = register('DWT_PCSR', 0xe000101c, { EIASAMPLE: [31, 0] });

/** Comparator n: COMP at +0x20+16n, MASK at +0x24+16n, FUNCTION at +0x28+16n. */
export const dwtCompAddress = (n: number): number => (0xe0001020 + 16 * n) >>> 0;
export const dwtMaskAddress = (n: number): number => (0xe0001024 + 16 * n) >>> 0;
export const dwtFunctionAddress = (n: number): number => (0xe0001028 + 16 * n) >>> 0;

export const DWT_MASK = register('DWT_MASKn', 0xe0001024, { MASK: [4, 0] });
export const DWT_FUNCTION = register('DWT_FUNCTIONn', 0xe0001028, {
  MATCHED: 24,
  DATAVADDR1: [19, 16],
  DATAVADDR0: [15, 12],
  DATAVSIZE: [11, 10],
  LNK1ENA: 9,
  DATAVMATCH: 8,
  CYCMATCH: 7,
  EMITRANGE: 5,
  FUNCTION: [3, 0],
});
/** DWT_FUNCTIONn.FUNCTION values used for debug events (ARMv7-M, DATAVMATCH=0, CYCMATCH=0). */
export const DWT_FUNC = { DISABLED: 0, PC_MATCH: 4, READ: 5, WRITE: 6, ACCESS: 7 } as const;
/** Largest MASK value on Cortex-M3/M4/M7 (a 32 KiB range). */
export const DWT_MASK_MAX = 15;
