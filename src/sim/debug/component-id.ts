// The identification registers that end every CoreSight component's 4 KiB block
// (PIDR4-7 at 0xFD0, PIDR0-3 at 0xFE0, CIDR0-3 at 0xFF0).
import { componentId } from '../../arch/coresight.js';

export interface ComponentIdentity {
  /** Component class (CIDR1[7:4]): 0x1 ROM table, 0x9 CoreSight, 0xE generic IP. */
  cls: number;
  /** 40-bit peripheral ID: PIDR4 in bits 39:32, PIDR3..0 in bits 31:0 (see arch/coresight armPid). */
  pid: number;
  /** DEVTYPE at 0xFCC (CoreSight class components); MEMTYPE for ROM tables. */
  devtype?: number;
}

/** Value of the ID register at `offset` (0xFCC-0xFFC), or undefined for other offsets. */
export function readIdRegister(id: ComponentIdentity, offset: number): number | undefined {
  if (offset === 0xfcc) return id.devtype ?? 0;
  if (offset < 0xfd0 || offset > 0xffc) return undefined;
  const lo = id.pid % 0x100000000;
  const hi = Math.floor(id.pid / 0x100000000);
  const cid = componentId(id.cls);
  const i = (offset - 0xfd0) >>> 2; // 0-3 PIDR4-7, 4-7 PIDR0-3, 8-11 CIDR0-3
  if (i < 4) return i === 0 ? hi & 0xff : 0;
  if (i < 8) return (lo >>> (8 * (i - 4))) & 0xff;
  return (cid >>> (8 * (i - 8))) & 0xff;
}
