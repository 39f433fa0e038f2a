// The coprocessor instruction space (MCR/MRC/MCRR/MRRC/LDC/STC/CDP and their "2" forms).
// ARMv7-M has no coprocessors besides the FPU (cp10/cp11): any access is a UsageFault NOCP.
// The FPU encodings (fpu.ts, requires: 'fpu') are more specific and win when configured.

import { type Cpu, Fault } from '../cpu.js';
import type { Encoding } from './encoding.js';

const noCoprocessor = (cpu: Cpu): void => cpu.fault(Fault.NoCp);

export const coprocessorEncodings: Encoding[] = [
  { name: 'coprocessor (no coprocessor present)', cls: 'coprocessor', pattern: '111x 11xx xxxx xxxx  xxxx xxxx xxxx xxxx', exec: noCoprocessor },
];
