// STM32H742/743/750/753 detection (DEV_ID 0x450, RM0433): a Cortex-M7 whose DBGMCU
// IDCODE at 0x5C001000 says 0x450; REV_ID names the silicon revision, FLASH_SIZE in
// system memory the flash size (the value line STM32H750 has one 128 KiB sector).
import type { Connection } from '../../cortexm/connect.js';
import type { MemoryRegion } from '../memory-map.js';
import type { TargetFamily, TargetInfo } from '../target-info.js';
import { Stm32h7FlashDriver, type Stm32h7Bank } from './flash.js';
import { stm32h7Swo } from './swo.js';
import { BANK2_START, DBGMCU_IDCODE, DEV_ID_H74X_75X, FLASH_SIZE_REG, FLASH_START, REV_IDS, SECTOR_SIZE } from './registers.js';

const CORTEX_M7_PARTNO = 0xc27;
const KiB = 1024;

/** RAM of RM0433's memory map (the same on every 0x450 part). */
const RAM: readonly MemoryRegion[] = [
  { type: 'ram', start: 0x00000000, length: 64 * KiB, name: 'ITCM' },
  { type: 'ram', start: 0x20000000, length: 128 * KiB, name: 'DTCM' },
  { type: 'ram', start: 0x24000000, length: 512 * KiB, name: 'AXI SRAM' },
  { type: 'ram', start: 0x30000000, length: 288 * KiB, name: 'SRAM1-3' },
  { type: 'ram', start: 0x38000000, length: 64 * KiB, name: 'SRAM4' },
  { type: 'ram', start: 0x38800000, length: 4 * KiB, name: 'backup SRAM' },
];
const SYSTEM_MEMORY: MemoryRegion = { type: 'rom', start: 0x1ff00000, length: 128 * KiB, name: 'system memory' };

function sizeText(bytes: number): string {
  return bytes >= 1024 * KiB && bytes % (1024 * KiB) === 0 ? `${bytes / (1024 * KiB)} MiB` : `${bytes / KiB} KiB`;
}

export const stm32h7: TargetFamily = {
  name: 'STM32H7',
  async probe(conn: Connection): Promise<TargetInfo | null> {
    if (((conn.core.cpuid >>> 4) & 0xfff) !== CORTEX_M7_PARTNO) return null;
    const idcode = await conn.mem.read32(DBGMCU_IDCODE);
    const devId = idcode & 0xfff;
    if (devId !== DEV_ID_H74X_75X) return null;
    const revId = idcode >>> 16;
    const revision = REV_IDS[revId] ?? `0x${revId.toString(16)}`;
    const details = [`DBGMCU IDCODE 0x${idcode.toString(16).padStart(8, '0')} (DEV_ID 0x${devId.toString(16)}, REV_ID 0x${revId.toString(16)} = revision ${revision})`];

    const sizeKiB = (await conn.mem.read32(FLASH_SIZE_REG)) & 0xffff;
    let flashSize = sizeKiB * KiB;
    if (sizeKiB !== 128 && sizeKiB !== 1024 && sizeKiB !== 2048) {
      details.push(`FLASH_SIZE reads ${sizeKiB} KiB, not a size of this family: assuming 2 MiB`);
      flashSize = 2048 * KiB;
    } else details.push(`FLASH_SIZE ${sizeKiB} KiB`);

    // The value line (STM32H750) has bank 1's sector 0 only; the others two equal banks,
    // bank 2 always at 0x08100000.
    const valueLine = flashSize <= SECTOR_SIZE;
    const banks: Stm32h7Bank[] = valueLine
      ? [{ number: 1, start: FLASH_START, size: flashSize }]
      : [
          { number: 1, start: FLASH_START, size: flashSize / 2 },
          { number: 2, start: BANK2_START, size: flashSize / 2 },
        ];
    const flash = new Stm32h7FlashDriver(conn.mem, banks);
    const memoryMap: MemoryRegion[] = [
      ...banks.map((b): MemoryRegion => ({ type: 'flash', start: b.start, length: b.size, blockSize: Math.min(SECTOR_SIZE, b.size), name: `flash bank ${b.number}` })),
      SYSTEM_MEMORY,
      ...RAM,
    ].sort((a, b) => a.start - b.start);
    const chip = valueLine ? 'STM32H750' : 'STM32H743';
    return {
      chip,
      family: 'STM32H7',
      revision,
      description: `${chip} rev ${revision} (${valueLine ? 'STM32H750' : 'STM32H742/743/753'}, DEV_ID 0x450), ${sizeText(flashSize)} flash${valueLine ? '' : ' in 2 banks'}, ${conn.core.coreName} ${conn.core.revision}`,
      flashSize,
      memoryMap,
      flash,
      details,
      swo: stm32h7Swo,
    };
  },
};
