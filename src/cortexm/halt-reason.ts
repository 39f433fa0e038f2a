// Why the core halted, from DFSR (and the DWT comparator that matched).
import { DFSR } from '../arch/scs-debug.js';

export type HaltKind = 'halt-request' | 'step' | 'breakpoint' | 'watchpoint' | 'vector-catch' | 'external' | 'unknown';

export interface HaltReason {
  kind: HaltKind;
  /** DFSR as read. */
  dfsr: number;
  /** For watchpoints: the comparator that matched and what it watches. */
  watch?: { comparator: number; address: number; access: 'read' | 'write' | 'access' | 'pc' };
}

/** The most specific reason in a DFSR value (several bits can be set at once). */
export function haltKindFromDfsr(dfsr: number, stepping: boolean): HaltKind {
  const f = DFSR.fields;
  if (dfsr & f.VCATCH.mask) return 'vector-catch';
  if (dfsr & f.DWTTRAP.mask) return 'watchpoint';
  if (dfsr & f.BKPT.mask) return 'breakpoint';
  if (dfsr & f.EXTERNAL.mask) return 'external';
  if (dfsr & f.HALTED.mask) return stepping ? 'step' : 'halt-request';
  return 'unknown';
}
