// Builds the XML documents gdb asks for with qXfer: the target description (registers
// grouped by feature, from the target's register list) and the memory map.

import type { MemoryRegion, RegisterInfo } from './target.js';

function xmlAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** target.xml: one <feature> per distinct feature name, in first-appearance order. */
export function targetDescriptionXml(registers: readonly RegisterInfo[], architecture = 'arm'): string {
  const features = new Map<string, RegisterInfo[]>();
  for (const r of registers) {
    let list = features.get(r.feature);
    if (!list) features.set(r.feature, (list = []));
    list.push(r);
  }
  let xml = '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n';
  xml += `  <architecture>${architecture}</architecture>\n`;
  for (const [name, regs] of features) {
    xml += `  <feature name="${xmlAttr(name)}">\n`;
    for (const r of regs) {
      xml += `    <reg name="${xmlAttr(r.name)}" bitsize="${r.bitsize}" regnum="${r.regnum}"`;
      if (r.type) xml += ` type="${xmlAttr(r.type)}"`;
      if (r.group) xml += ` group="${xmlAttr(r.group)}"`;
      xml += '/>\n';
    }
    xml += '  </feature>\n';
  }
  xml += '</target>\n';
  return xml;
}

/** The memory map gdb uses for `load` (flash regions get vFlash* packets). */
export function memoryMapXml(regions: readonly MemoryRegion[]): string {
  let xml = '<?xml version="1.0"?>\n<!DOCTYPE memory-map PUBLIC "+//IDN gnu.org//DTD GDB Memory Map V1.0//EN" "http://sourceware.org/gdb/gdb-memory-map.dtd">\n<memory-map>\n';
  for (const r of regions) {
    const attrs = `type="${r.type}" start="0x${(r.start >>> 0).toString(16)}" length="0x${r.length.toString(16)}"`;
    if (r.type === 'flash') {
      xml += `  <memory ${attrs}>\n    <property name="blocksize">0x${(r.blockSize ?? 0x400).toString(16)}</property>\n  </memory>\n`;
    } else xml += `  <memory ${attrs}/>\n`;
  }
  xml += '</memory-map>\n';
  return xml;
}
