// CoreSight discovery from the host: component identification and ROM table walking.
import { ARM_PARTS, CS_CLASS_NAME, romEntryAddress } from '../arch/coresight.js';
import { hex32 } from '../arch/register.js';
import type { MemAccessPort } from './mem-ap.js';

export interface Component {
  address: number;
  /** CIDR1[7:4]; -1 when the preamble is wrong (nothing there). */
  cls: number;
  /** 40-bit peripheral ID. */
  pid: number;
  /** Designer (JEP106 continuation << 8 | identity), part number, revision. */
  designer: number;
  part: number;
  revision: number;
  devtype: number;
  /** Human name when known ('Cortex-M4/M7 SCS'). */
  name: string;
  /** ROM table entries (class 1 only), each a component or an absent slot. */
  children: (Component | { address: number; absent: true })[];
}

function decodeIds(words: Uint32Array): { cls: number; pid: number; designer: number; part: number; revision: number; devtype: number } {
  // words: 0xFCC .. 0xFFC (13 words): DEVTYPE, PIDR4-7, PIDR0-3, CIDR0-3
  const b = (i: number) => words[i] & 0xff;
  const cid = (b(9) | (b(10) << 8) | (b(11) << 16) | (b(12) << 24)) >>> 0;
  const pidLow = (b(5) | (b(6) << 8) | (b(7) << 16) | (b(8) << 24)) >>> 0;
  const pid4 = b(1);
  const valid = (cid & 0xffff0fff) >>> 0 === 0xb105000d;
  const part = pidLow & 0xfff;
  const jep = (pidLow >>> 12) & 0x7f;
  return {
    cls: valid ? (cid >>> 12) & 0xf : -1,
    pid: pid4 * 0x100000000 + pidLow,
    designer: ((pid4 & 0xf) << 8) | jep,
    part,
    revision: (pidLow >>> 20) & 0xf,
    devtype: words[0] & 0xff,
  };
}

/** Identify the component at `address` and, for a ROM table, walk its entries (depth-limited). */
export async function readComponent(ap: MemAccessPort, address: number, depth = 0): Promise<Component> {
  const ids = decodeIds(await ap.readWords((address + 0xfcc) >>> 0, 13));
  const isArm = ids.designer === 0x43b;
  const known = isArm ? ARM_PARTS[`${ids.cls.toString(16)}:${ids.part.toString(16).padStart(3, '0')}`] : undefined;
  const comp: Component = {
    address: address >>> 0,
    ...ids,
    name: ids.cls < 0 ? 'no component' : known ?? `${CS_CLASS_NAME[ids.cls] ?? `class ${ids.cls}`} part 0x${ids.part.toString(16)}`,
    children: [],
  };
  if (ids.cls === 0x1 && depth < 4) {
    for (let off = 0; off < 0xf00; off += 4 * 16) {
      const entries = await ap.readWords((address + off) >>> 0, 16);
      let end = false;
      for (const e of entries) {
        if (e === 0) {
          end = true;
          break;
        }
        const target = romEntryAddress(address, e);
        if (e & 1) comp.children.push(await readComponent(ap, target, depth + 1));
        else comp.children.push({ address: target, absent: true });
      }
      if (end) break;
    }
  }
  return comp;
}

/** An indented tree of a component and its children, for `tsprobe info`. */
export function formatComponentTree(c: Component, indent = ''): string[] {
  const lines = [`${indent}${hex32(c.address)}  ${c.name}${c.cls >= 0 ? `  (PIDR 0x${c.pid.toString(16).padStart(10, '0')}, class 0x${c.cls.toString(16)})` : ''}`];
  for (const ch of c.children) {
    if ('absent' in ch) lines.push(`${indent}  ${hex32(ch.address)}  (entry present but component not implemented)`);
    else lines.push(...formatComponentTree(ch, indent + '  '));
  }
  return lines;
}

/** Find components by predicate anywhere in the tree. */
export function findComponents(c: Component, pred: (c: Component) => boolean, out: Component[] = []): Component[] {
  if (pred(c)) out.push(c);
  for (const ch of c.children) if (!('absent' in ch)) findComponents(ch, pred, out);
  return out;
}
