// The floating-point extension (FPv4-SP for Cortex-M4F, FPv5 for Cortex-M7): VFP
// instructions in the cp10/cp11 space. Empty until the STM32H7 issue brings the FPU; the
// decoder includes these encodings only when CoreConfig.fpu is set, and their patterns
// (which fix the coprocessor number) are more specific than the NOCP catch-all.

import type { Encoding } from './encoding.js';

export const fpuEncodings: Encoding[] = [];
