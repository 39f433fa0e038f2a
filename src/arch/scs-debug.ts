// Debug registers of the System Control Space (ARMv7-M ARM C1.6) and the SCB
// registers a debugger drives (CPUID, AIRCR, VTOR, fault status).
import { register } from './register.js';

/** Debug Halting Control and Status Register. Writes need DBGKEY in [31:16]. */
export const DHCSR = register('DHCSR', 0xe000edf0, {
  S_RESET_ST: 25,
  S_RETIRE_ST: 24,
  S_LOCKUP: 19,
  S_SLEEP: 18,
  S_HALT: 17,
  S_REGRDY: 16,
  C_SNAPSTALL: 5,
  C_MASKINTS: 3,
  C_STEP: 2,
  C_HALT: 1,
  C_DEBUGEN: 0,
});
/** DHCSR[31:16] must be this key on writes, or the write is ignored. */
export const DBGKEY = 0xa05f0000;

/** Debug Core Register Selector Register (write-only). */
export const DCRSR = register('DCRSR', 0xe000edf4, { REGWnR: 16, REGSEL: [6, 0] });
/** Debug Core Register Data Register. */
export const DCRDR = register('DCRDR', 0xe000edf8, { DATA: [31, 0] });

/** Debug Exception and Monitor Control Register. */
export const DEMCR = register('DEMCR', 0xe000edfc, {
  TRCENA: 24,
  MON_REQ: 19,
  MON_STEP: 18,
  MON_PEND: 17,
  MON_EN: 16,
  VC_HARDERR: 10,
  VC_INTERR: 9,
  VC_BUSERR: 8,
  VC_STATERR: 7,
  VC_CHKERR: 6,
  VC_NOCPERR: 5,
  VC_MMERR: 4,
  VC_CORERESET: 0,
});

/** Debug Fault Status Register (write 1 to clear). */
export const DFSR = register('DFSR', 0xe000ed30, { EXTERNAL: 4, VCATCH: 3, DWTTRAP: 2, BKPT: 1, HALTED: 0 });

export const CPUID = register('CPUID', 0xe000ed00, {
  IMPLEMENTER: [31, 24],
  VARIANT: [23, 20],
  ARCHITECTURE: [19, 16],
  PARTNO: [15, 4],
  REVISION: [3, 0],
});
/** CPUID.PARTNO values. */
export const CPU_PARTNO: Record<number, string> = { 0xc20: 'Cortex-M0', 0xc60: 'Cortex-M0+', 0xc21: 'Cortex-M1', 0xc23: 'Cortex-M3', 0xc24: 'Cortex-M4', 0xc27: 'Cortex-M7', 0xd20: 'Cortex-M23', 0xd21: 'Cortex-M33' };

/** Application Interrupt and Reset Control Register. Writes need VECTKEY 0x05FA in [31:16]. */
export const AIRCR = register('AIRCR', 0xe000ed0c, {
  VECTKEY: [31, 16],
  ENDIANNESS: 15,
  PRIGROUP: [10, 8],
  SYSRESETREQ: 2,
  VECTCLRACTIVE: 1,
  VECTRESET: 0,
});
export const VECTKEY = 0x05fa << 16;

export const ICSR = register('ICSR', 0xe000ed04, { NMIPENDSET: 31, PENDSVSET: 28, PENDSTSET: 26, ISRPENDING: 22, VECTPENDING: [20, 12], RETTOBASE: 11, VECTACTIVE: [8, 0] });
export const VTOR = register('VTOR', 0xe000ed08, { TBLOFF: [31, 7] });
export const CFSR = register('CFSR', 0xe000ed28, { UFSR: [31, 16], BFSR: [15, 8], MMFSR: [7, 0] });
export const HFSR = register('HFSR', 0xe000ed2c, { DEBUGEVT: 31, FORCED: 30, VECTTBL: 1 });
export const MMFAR = register('MMFAR', 0xe000ed34, { ADDRESS: [31, 0] });
export const BFAR = register('BFAR', 0xe000ed38, { ADDRESS: [31, 0] });

/** The debug register block the SCS hands to the debug unit (DHCSR..DEMCR, and up to 0xE000EEFF). */
export const SCS_DEBUG_BLOCK = { start: 0xe000edf0, end: 0xe000eeff } as const;

/** DCRSR.REGSEL numbers (ARMv7-M ARM C1.6.3). */
export const REGSEL = {
  R0: 0, R1: 1, R2: 2, R3: 3, R4: 4, R5: 5, R6: 6, R7: 7, R8: 8, R9: 9, R10: 10, R11: 11, R12: 12,
  SP: 13, LR: 14, DEBUGRETURNADDRESS: 15, XPSR: 16, MSP: 17, PSP: 18,
  /** CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0] */
  CONTROL_FAULTMASK_BASEPRI_PRIMASK: 20,
  FPSCR: 33,
  S0: 64,
} as const;
