// STM32H742/743/750/753 (RM0433) facts the host-side driver needs: the embedded flash
// interface registers, DBGMCU IDCODE and FLASH_SIZE. (The simulator's model of the same
// block, src/sim/periph/stm32/flash.ts, is checked against these in test/targets.)

export const FLASH_BASE = 0x52002000;
/** Bank 2's KEYR/CR/SR/CCR sit 0x100 above bank 1's. */
export const FLASH_BANK_STRIDE = 0x100;

export const FLASH = {
  KEYR: 0x04, OPTKEYR: 0x08, CR: 0x0c, SR: 0x10, CCR: 0x14, OPTCR: 0x18,
  /** Write protection in effect, one bit per sector, 0 = protected (bank 2's at +0x100). */
  WPSN_CUR: 0x38,
} as const;

export const KEY1 = 0x45670123;
export const KEY2 = 0xcdef89ab;

export const CR = {
  LOCK: 1 << 0, PG: 1 << 1, SER: 1 << 2, BER: 1 << 3,
  /** PSIZE = 3: 64-bit parallelism, the reset value (kept as found). */
  PSIZE_X64: 3 << 4, FW: 1 << 6, START: 1 << 7, SNB_SHIFT: 8,
} as const;

export const SR = {
  BSY: 1 << 0, WBNE: 1 << 1, QW: 1 << 2, EOP: 1 << 16,
} as const;

/** SR error flags, what they mean, and what to do about them. */
export const SR_ERRORS: readonly { bit: number; name: string; meaning: string }[] = [
  { bit: 1 << 17, name: 'WRPERR', meaning: 'the sector is write-protected (option bytes WPSN)' },
  { bit: 1 << 18, name: 'PGSERR', meaning: 'programming sequence error (controller locked, PG not set, or START with data in the write buffer)' },
  { bit: 1 << 19, name: 'STRBERR', meaning: 'the same byte was written twice into the write buffer' },
  { bit: 1 << 21, name: 'INCERR', meaning: 'inconsistent write: another flash word was written before the previous one was complete' },
  { bit: 1 << 22, name: 'OPERR', meaning: 'the flash word was not erased (erase the sector first)' },
  { bit: 1 << 23, name: 'RDPERR', meaning: 'read-out protection' },
  { bit: 1 << 24, name: 'RDSERR', meaning: 'secure area' },
  { bit: 1 << 25, name: 'SNECCERR', meaning: 'single ECC error corrected' },
  { bit: 1 << 26, name: 'DBECCERR', meaning: 'double ECC error' },
];
/** The errors a program or erase operation raises (ECC read errors are not ours). */
export const SR_OP_ERRORS = (1 << 17) | (1 << 18) | (1 << 19) | (1 << 21) | (1 << 22) | (1 << 23) | (1 << 24);
/** CCR clears SR bits 16-27 (bit 20 is reserved). */
export const CCR_CLEAR_ALL = 0x0fef0000;

export const FLASH_WORD = 32;
export const SECTOR_SIZE = 128 * 1024;
export const FLASH_START = 0x08000000;
export const BANK2_START = 0x08100000;

export const DBGMCU_IDCODE = 0x5c001000;
export const DEV_ID_H74X_75X = 0x450;
export const REV_IDS: Readonly<Record<number, string>> = { 0x1001: 'Z', 0x1003: 'Y', 0x2001: 'X', 0x2003: 'V' };
/** FLASH_SIZE: flash size in KiB (16 bits) in system memory. */
export const FLASH_SIZE_REG = 0x1ff1e880;

export function flagNames(sr: number): string[] {
  return SR_ERRORS.filter((e) => sr & e.bit).map((e) => e.name);
}
