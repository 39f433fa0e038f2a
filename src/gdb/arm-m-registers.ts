// gdb's view of a Cortex-M register file: the features gdb's ARM support knows
// (org.gnu.gdb.arm.m-profile, .m-system, .vfp) and where each register sits in the
// `g` packet. Targets use this list; the server itself is register-agnostic.

import type { RegisterInfo } from './target.js';

const M_PROFILE = 'org.gnu.gdb.arm.m-profile';
const M_SYSTEM = 'org.gnu.gdb.arm.m-system';
const VFP = 'org.gnu.gdb.arm.vfp';

/** What each gdb register is on the core, so an adapter can read it. */
export type ArmMRegisterSource =
  | { readonly kind: 'core'; readonly index: number } // r0-r15
  | { readonly kind: 'xpsr' }
  | { readonly kind: 'msp' }
  | { readonly kind: 'psp' }
  | { readonly kind: 'special'; readonly field: 'primask' | 'basepri' | 'faultmask' | 'control' }
  | { readonly kind: 'double'; readonly index: number } // d0-d15 = s(2n), s(2n+1)
  | { readonly kind: 'fpscr' };

export interface ArmMRegister extends RegisterInfo {
  readonly source: ArmMRegisterSource;
}

/**
 * The register list. xpsr is regnum 25 as in gdb's own arm-m-profile.xml (16-24 were
 * the old FPA registers); the rest follow without gaps.
 */
export function armMRegisters(opts: { fpu: boolean }): ArmMRegister[] {
  const regs: ArmMRegister[] = [];
  for (let i = 0; i < 13; i++) regs.push({ name: `r${i}`, regnum: i, bitsize: 32, feature: M_PROFILE, group: 'general', source: { kind: 'core', index: i } });
  regs.push({ name: 'sp', regnum: 13, bitsize: 32, feature: M_PROFILE, type: 'data_ptr', group: 'general', source: { kind: 'core', index: 13 } });
  regs.push({ name: 'lr', regnum: 14, bitsize: 32, feature: M_PROFILE, group: 'general', source: { kind: 'core', index: 14 } });
  regs.push({ name: 'pc', regnum: 15, bitsize: 32, feature: M_PROFILE, type: 'code_ptr', group: 'general', source: { kind: 'core', index: 15 } });
  regs.push({ name: 'xpsr', regnum: 25, bitsize: 32, feature: M_PROFILE, group: 'general', source: { kind: 'xpsr' } });
  let n = 26;
  // 'general' so that plain `info registers` lists them too.
  regs.push({ name: 'msp', regnum: n++, bitsize: 32, feature: M_SYSTEM, type: 'data_ptr', group: 'general', source: { kind: 'msp' } });
  regs.push({ name: 'psp', regnum: n++, bitsize: 32, feature: M_SYSTEM, type: 'data_ptr', group: 'general', source: { kind: 'psp' } });
  for (const field of ['primask', 'basepri', 'faultmask', 'control'] as const) {
    regs.push({ name: field, regnum: n++, bitsize: 8, feature: M_SYSTEM, type: 'uint8', group: 'general', source: { kind: 'special', field } });
  }
  if (opts.fpu) {
    for (let i = 0; i < 16; i++) regs.push({ name: `d${i}`, regnum: n++, bitsize: 64, feature: VFP, type: 'ieee_double', group: 'float', source: { kind: 'double', index: i } });
    regs.push({ name: 'fpscr', regnum: n++, bitsize: 32, feature: VFP, type: 'int', group: 'float', source: { kind: 'fpscr' } });
  }
  return regs;
}
