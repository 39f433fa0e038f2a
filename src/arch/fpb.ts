// Flash Patch and Breakpoint unit (ARMv7-M ARM C1.11). Version 1 on Cortex-M3/M4
// (breakpoints and flash patch in the Code region), version 2 on Cortex-M7
// (breakpoints at any address, no flash patch).
import { register } from './register.js';

export const FPB_BASE = 0xe0002000;

export const FP_CTRL = register('FP_CTRL', 0xe0002000, {
  REV: [31, 28],
  NUM_CODE_HI: [14, 12],
  NUM_LIT: [11, 8],
  NUM_CODE_LO: [7, 4],
  KEY: 1,
  ENABLE: 0,
});
export const FP_REMAP = register('FP_REMAP', 0xe0002004, { RMPSPT: 29, REMAP: [28, 5] });
/** Address of comparator n. */
export const fpCompAddress = (n: number): number => (0xe0002008 + 4 * n) >>> 0;
/** FP_COMPn, version 1. */
export const FP_COMP_V1 = register('FP_COMPn', 0xe0002008, { REPLACE: [31, 30], COMP: [28, 2], ENABLE: 0 });
/** FP_COMPn.REPLACE (v1): 0 remap, 1 breakpoint on the lower halfword, 2 upper halfword, 3 both. */
export const FP_REPLACE = { REMAP: 0, BKPT_LOWER: 1, BKPT_UPPER: 2, BKPT_BOTH: 3 } as const;
/** FP_COMPn, version 2 (breakpoint form). */
export const FP_COMP_V2 = register('FP_COMPn', 0xe0002008, { BPADDR: [31, 1], BE: 0 });
/** FPB v1 can only compare addresses in the Code region. */
export const FPB_V1_CODE_LIMIT = 0x20000000;

/** Number of code comparators from an FP_CTRL value. */
export function fpNumCode(ctrl: number): number {
  return (((ctrl >>> 12) & 7) << 4) | ((ctrl >>> 4) & 0xf);
}
