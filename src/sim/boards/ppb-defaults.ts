// The part of the Private Peripheral Bus no model claims, made to read as zero (as
// QEMU does) instead of bus-faulting. Shared by every board's mapPpbDefaults().
import type { Bus } from '../bus.js';
import { Unimplemented } from '../periph/unimplemented.js';
import type { MapEntry } from './board.js';

const PPB_BASE = 0xe0000000;
const PPB_SIZE = 0x100000;
const PAGE = 0x1000;

export function mapUnmodelledPpb(bus: Bus, memoryMap: MapEntry[]): void {
  for (let page = PPB_BASE; page < PPB_BASE + PPB_SIZE; page += PAGE) {
    if (bus.find(page)) continue;
    bus.mapDevice('PPB (not modelled)', page, PAGE, new Unimplemented('PPB', page));
  }
  memoryMap.push({ name: 'PPB (not modelled, reads 0)', base: PPB_BASE, size: PPB_SIZE, kind: 'unimplemented' });
}
