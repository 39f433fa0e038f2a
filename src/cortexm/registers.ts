// Core registers by name, and how they map onto DCRSR.REGSEL (ARMv7-M ARM C1.6.3).
// PRIMASK, BASEPRI, FAULTMASK and CONTROL share REGSEL 20, one byte each.

export interface CoreRegister {
  name: string;
  regsel: number;
  /** For the packed special registers: the byte of REGSEL 20 ([7:0] PRIMASK .. [31:24] CONTROL). */
  byte?: number;
  fp?: boolean;
}

const list: CoreRegister[] = [];
for (let i = 0; i <= 12; i++) list.push({ name: `r${i}`, regsel: i });
list.push({ name: 'sp', regsel: 13 }, { name: 'lr', regsel: 14 }, { name: 'pc', regsel: 15 }, { name: 'xpsr', regsel: 16 });
list.push({ name: 'msp', regsel: 17 }, { name: 'psp', regsel: 18 });
list.push({ name: 'primask', regsel: 20, byte: 0 }, { name: 'basepri', regsel: 20, byte: 1 }, { name: 'faultmask', regsel: 20, byte: 2 }, { name: 'control', regsel: 20, byte: 3 });
list.push({ name: 'fpscr', regsel: 33, fp: true });
for (let i = 0; i < 32; i++) list.push({ name: `s${i}`, regsel: 64 + i, fp: true });

export const CORE_REGISTERS: readonly CoreRegister[] = list;
const byName = new Map<string, CoreRegister>(list.map((r) => [r.name, r]));
for (const [alias, name] of [['r13', 'sp'], ['r14', 'lr'], ['r15', 'pc'], ['psr', 'xpsr'], ['cpsr', 'xpsr']]) byName.set(alias, byName.get(name)!);

/** The integer registers a `regs` listing shows. */
export const BASE_REGISTER_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc', 'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control'];

export function coreRegister(name: string): CoreRegister {
  const r = byName.get(name.toLowerCase());
  if (!r) throw new Error(`unknown core register '${name}'; known: ${BASE_REGISTER_NAMES.join(', ')}, fpscr, s0-s31`);
  return r;
}
