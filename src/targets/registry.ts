// The known chip families and detection: each family probes the connection in turn; the
// first that recognizes the chip wins. A chip nobody knows is a generic Cortex-M target
// (memory access and run control work; no memory map and no flash driver).
import type { Connection } from '../cortexm/connect.js';
import { stm32h7 } from './stm32h7/family.js';
import type { TargetFamily, TargetInfo } from './target-info.js';

const FAMILIES: TargetFamily[] = [stm32h7];

/** Add a family (tests, plug-ins); it is probed before the built-in ones. */
export function registerFamily(family: TargetFamily): void {
  FAMILIES.unshift(family);
}

export function knownFamilies(): readonly string[] {
  return FAMILIES.map((f) => f.name);
}

export async function detectTarget(conn: Connection): Promise<TargetInfo> {
  const notes: string[] = [];
  for (const f of FAMILIES) {
    try {
      const info = await f.probe(conn);
      if (info) return info;
    } catch (e) {
      // A probe read that faults (no DBGMCU there) means: not this family.
      notes.push(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return genericTarget(conn, notes);
}

export function genericTarget(conn: Connection, notes: readonly string[] = []): TargetInfo {
  const core = conn.core;
  return {
    chip: core.coreName,
    family: 'generic',
    revision: '',
    description: `${core.coreName} ${core.revision} (unknown chip: no memory map, no flash driver; known families: ${knownFamilies().join(', ')})`,
    flashSize: 0,
    memoryMap: [],
    details: [`CPUID 0x${(core.cpuid >>> 0).toString(16).padStart(8, '0')}`, ...notes],
  };
}
