// The STM32H7 embedded flash memory interface (RM0433 chapter 4, "Embedded flash
// memory (FLASH)"): the register block at 0x52002000 and the array it programs.
//
// The array stays a plain read-only memory region on the bus (fetches and loads are
// ordinary memory reads); writes to it from any bus master (the core, the debugger's
// AHB-AP) arrive here through the region's write handler and go through the write
// buffer as on silicon:
// - each bank has its own KEYR/CR/SR/CCR; CR is locked after reset and unlocked by
//   KEY1 0x45670123 then KEY2 0xCDEF89AB into KEYR; any other write to KEYR (a wrong
//   key, or the keys again) locks CR until the next system reset;
// - programming: PG set, then the 256-bit flash word (32 bytes) is written in any
//   order and with any access size; WBNE is set while the buffer is partly filled,
//   and the word is programmed once all 32 bytes are in (or when FW forces it, the
//   missing bytes being left erased). QW is set while a word waits or is programmed,
//   BSY while the array is busy; EOP when an operation completes;
// - erase: SER with SNB (a 128 KiB sector) or BER (the bank), then START; mass erase of
//   both banks with OPTCR.MER (option bytes unlocked with OPTKEYR);
// - errors (SR bits 17-22), each flushing the write buffer:
//   WRPERR  program/erase of a write-protected sector (WPSN bit 0),
//   PGSERR  a write to the array while PG is clear (or the bank is locked, or it is
//           erasing), START while the write buffer holds data, SER and BER together,
//   STRBERR the same byte written twice in the write buffer,
//   INCERR  a write to another flash word (or the other bank) while the buffer holds a
//           partly written word,
//   OPERR   programming a flash word that is not erased (ECC words can be written once;
//           this model refuses the word rather than corrupting its ECC).
//   The array is left unchanged by a refused operation; such writes complete on the bus
//   (no bus error), and the flag tells the software.
// - durations: a flash word takes about 16 us and a sector erase some ms on silicon
//   (datasheet tprog/tERASE128KB). Here an operation completes when its simulated time
//   has passed, or after a few reads of SR by whoever polls it: simulated time stands
//   still while a debugger holds the core halted, and a host that polls SR must see the
//   operation end (on a chip, its polling takes real time); reads by running firmware
//   see the operation last its simulated time.
// Option bytes: OPTSR_CUR (RDP level 0xAA = level 0, BOR, watchdog...), WPSN_CUR1/2
// (write protection, 1 = not protected); OPTSR_PRG/WPSN_PRGx are copied into the _CUR
// registers by OPTCR.OPTSTART. They and the array are non-volatile: a system reset
// (reset()) keeps them and relocks the controller.
import type { AccessSize, Device, Region } from '../../bus.js';
import type { Clock } from '../../clock.js';
import { noIrq, type IrqLine } from '../irq-line.js';

export const FLASH_KEY1 = 0x45670123;
export const FLASH_KEY2 = 0xcdef89ab;
export const FLASH_OPTKEY1 = 0x08192a3b;
export const FLASH_OPTKEY2 = 0x4c5d6e7f;

/** Register offsets inside the block (bank 2 registers at +0x100). */
export const FLASH_REG = {
  ACR: 0x00, KEYR1: 0x04, OPTKEYR: 0x08, CR1: 0x0c, SR1: 0x10, CCR1: 0x14, OPTCR: 0x18,
  OPTSR_CUR: 0x1c, OPTSR_PRG: 0x20, OPTCCR: 0x24, PRAR_CUR1: 0x28, PRAR_PRG1: 0x2c,
  SCAR_CUR1: 0x30, SCAR_PRG1: 0x34, WPSN_CUR1R: 0x38, WPSN_PRG1R: 0x3c, BOOT_CURR: 0x40,
  BOOT_PRGR: 0x44, CRCCR1: 0x50, CRCSADD1R: 0x54, CRCEADD1R: 0x58, CRCDATAR: 0x5c, ECC_FA1R: 0x60,
  KEYR2: 0x104, CR2: 0x10c, SR2: 0x110, CCR2: 0x114, WPSN_CUR2R: 0x138, WPSN_PRG2R: 0x13c,
} as const;

/** FLASH_CRx bits. */
export const FLASH_CR = {
  LOCK: 1 << 0, PG: 1 << 1, SER: 1 << 2, BER: 1 << 3, PSIZE_MASK: 3 << 4, FW: 1 << 6, START: 1 << 7,
  SNB_SHIFT: 8, SNB_MASK: 7 << 8, CRC_EN: 1 << 15, EOPIE: 1 << 16, IE_MASK: 0x0fef0000,
} as const;

/** FLASH_SRx bits (FLASH_CCRx clears 16-27 with the same positions). */
export const FLASH_SR = {
  BSY: 1 << 0, WBNE: 1 << 1, QW: 1 << 2, CRC_BUSY: 1 << 3, EOP: 1 << 16, WRPERR: 1 << 17,
  PGSERR: 1 << 18, STRBERR: 1 << 19, INCERR: 1 << 21, OPERR: 1 << 22, RDPERR: 1 << 23,
  RDSERR: 1 << 24, SNECCERR: 1 << 25, DBECCERR: 1 << 26, CRCEND: 1 << 27,
} as const;
const SR_CLEARABLE = 0x0fef0000;

/** FLASH_OPTCR bits. */
export const FLASH_OPTCR = { OPTLOCK: 1 << 0, OPTSTART: 1 << 1, MER: 1 << 4, OPTCHANGEERRIE: 1 << 30, SWAP_BANK: 1 << 31 } as const;

export const FLASH_WORD = 32;
export const FLASH_SECTOR = 128 * 1024;

/**
 * OPTSR_CUR as shipped: RDP 0xAA (level 0), BOR off, IWDG1 by software, no reset on
 * Stop/Standby entry (NRST_STOP_D1/NRST_STBY_D1 = 1), IWDG running in Stop/Standby.
 */
export const OPTSR_FACTORY = 0x0006aad0;

export interface FlashTimings {
  /** Core cycles to program one flash word. */
  programCycles: number;
  /** Core cycles to erase one sector. */
  sectorEraseCycles: number;
  /** SR reads that also end a busy operation while the core is halted (simulated time stands still then). */
  pollsToComplete: number;
  /** True while simulated time does not advance (the core is halted by a debugger). */
  timeFrozen: () => boolean;
}

interface Operation {
  kind: 'program' | 'erase';
  doneAt: number;
  polls: number;
  finish: () => void;
}

class FlashBank {
  cr = 0;
  sr = 0;
  /** 0: locked, expecting KEY1; 1: KEY1 seen; 2: unlocked; 3: locked until reset. */
  keyState = 0;
  readonly buf = new Uint8Array(FLASH_WORD);
  readonly bufSet = new Uint8Array(FLASH_WORD);
  bufCount = 0;
  /** Array offset of the flash word in the buffer, or -1. */
  bufWord = -1;
  /** The program or erase in progress (QW/BSY); a new one completes it first. */
  op: Operation | null = null;
  /** Write protection per sector, 1 = not protected (WPSN_CURx / WPSN_PRGx). */
  wpsnCur = 0xff;
  wpsnPrg = 0xff;
  prar = 0x000000ff;
  scar = 0x000000ff;

  constructor(readonly index: number, readonly offset: number, readonly size: number) {}

  reset(): void {
    this.cr = FLASH_CR.LOCK | FLASH_CR.PSIZE_MASK;
    this.sr = 0;
    this.keyState = 0;
    this.flushBuffer();
    this.op = null;
  }

  flushBuffer(): void {
    this.buf.fill(0xff);
    this.bufSet.fill(0);
    this.bufCount = 0;
    this.bufWord = -1;
  }

  get locked(): boolean {
    return (this.cr & FLASH_CR.LOCK) !== 0;
  }
}

export class Stm32h7Flash implements Device {
  readonly banks: FlashBank[] = [];
  acr = 0x37;
  optcr = FLASH_OPTCR.OPTLOCK;
  optKeyState = 0;
  optsrCur = OPTSR_FACTORY;
  optsrPrg = OPTSR_FACTORY;
  bootCur = 0x1ff00800;
  bootPrg = 0x1ff00800;
  /** Operations performed, for tests and benchmarks. */
  readonly stats = { wordsProgrammed: 0, sectorsErased: 0 };
  private readonly timings: FlashTimings;

  /**
   * `array`: the flash memory region (both banks, contiguous); `bankSize`: bytes per bank;
   * `banks`: 1 (STM32H750: one 128 KiB sector) or 2 (STM32H743: 2 x 1 MiB).
   */
  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly array: Region,
    readonly bankSize: number,
    bankCount: number,
    private readonly irq: IrqLine = noIrq,
    timings: Partial<FlashTimings> = {},
  ) {
    this.timings = { programCycles: 1000, sectorEraseCycles: 100_000, pollsToComplete: 3, timeFrozen: () => false, ...timings };
    for (let b = 0; b < bankCount; b++) this.banks.push(new FlashBank(b, b * bankSize, bankSize));
    array.bytes!.fill(0xff); // a new chip is erased
    this.reset();
  }

  get sectorsPerBank(): number {
    return Math.max(1, this.bankSize / FLASH_SECTOR);
  }

  /** System reset: registers and locks; the array and option bytes are non-volatile. */
  reset(): void {
    for (const b of this.banks) b.reset();
    this.acr = 0x37;
    this.optcr = FLASH_OPTCR.OPTLOCK;
    this.optKeyState = 0;
    this.update();
  }

  // ---- the array: writes from the bus ---------------------------------------------------

  /** The region's write handler: a bus write into the flash array. */
  arrayWrite(offset: number, size: AccessSize, value: number): void {
    // One bus access: an error at one of its bytes drops the rest of it.
    for (let i = 0; i < size; i++) if (!this.writeByte(offset + i, (value >>> (8 * i)) & 0xff)) return;
  }

  /** One byte into the write buffer; false when it raised an error. */
  private writeByte(offset: number, byte: number): boolean {
    const bank = this.banks[Math.floor(offset / this.bankSize)];
    if (!bank) return false;
    this.poll(bank);
    // A word of the other bank while this one holds a partly written word.
    for (const other of this.banks) {
      if (other !== bank && other.bufCount > 0) {
        this.error(other, FLASH_SR.INCERR);
      }
    }
    if (bank.locked || !(bank.cr & FLASH_CR.PG) || (bank.op && bank.op.kind === 'erase')) {
      this.error(bank, FLASH_SR.PGSERR);
      return false;
    }
    const word = offset & ~(FLASH_WORD - 1);
    if (bank.bufCount > 0 && bank.bufWord !== word) {
      this.error(bank, FLASH_SR.INCERR);
      return false;
    }
    const i = offset & (FLASH_WORD - 1);
    if (bank.bufSet[i]) {
      this.error(bank, FLASH_SR.STRBERR);
      return false;
    }
    bank.bufWord = word;
    bank.buf[i] = byte;
    bank.bufSet[i] = 1;
    bank.bufCount++;
    if (bank.bufCount === FLASH_WORD) this.launchProgram(bank);
    this.update();
    return true;
  }

  private error(bank: FlashBank, flag: number): void {
    bank.sr |= flag;
    bank.flushBuffer();
    this.update();
  }

  private sectorOf(bank: FlashBank, offset: number): number {
    return Math.floor((offset - bank.offset) / FLASH_SECTOR);
  }

  private writeProtected(bank: FlashBank, sector: number): boolean {
    return ((bank.wpsnCur >>> sector) & 1) === 0;
  }

  /** The buffer holds a whole (or forced) flash word: program it. */
  private launchProgram(bank: FlashBank): void {
    this.finishNow(bank); // a queued word waits for the previous one (QW): done in order
    const word = bank.bufWord;
    const data = bank.buf.slice();
    bank.flushBuffer();
    if (this.writeProtected(bank, this.sectorOf(bank, word))) {
      bank.sr |= FLASH_SR.WRPERR;
      return;
    }
    this.start(bank, 'program', this.timings.programCycles, () => {
      const bytes = this.array.bytes!;
      for (let i = 0; i < FLASH_WORD; i++) {
        if (bytes[word + i] !== 0xff) {
          bank.sr |= FLASH_SR.OPERR;
          return;
        }
      }
      bytes.set(data, word);
      this.array.onWrite?.(word, FLASH_WORD);
      this.stats.wordsProgrammed++;
      bank.sr |= FLASH_SR.EOP;
    });
  }

  private start(bank: FlashBank, kind: Operation['kind'], cycles: number, finish: () => void): void {
    bank.op = { kind, doneAt: this.clock.now + cycles, polls: 0, finish };
    const op = bank.op;
    this.clock.at(op.doneAt, () => {
      if (bank.op === op) this.complete(bank);
    });
  }

  private complete(bank: FlashBank): void {
    const op = bank.op;
    if (!op) return;
    bank.op = null;
    op.finish();
    this.update();
  }

  /** Complete a pending operation at once (the next one waits for it on silicon). */
  private finishNow(bank: FlashBank): void {
    if (bank.op) this.complete(bank);
  }

  /** Simulated time has passed: end operations that are due. */
  private poll(bank: FlashBank): void {
    if (bank.op && this.clock.now >= bank.op.doneAt) this.complete(bank);
  }

  private erase(bank: FlashBank, sectors: number[]): void {
    for (const s of sectors) {
      if (this.writeProtected(bank, s)) {
        bank.sr |= FLASH_SR.WRPERR;
        return;
      }
    }
    this.start(bank, 'erase', this.timings.sectorEraseCycles * sectors.length, () => {
      const bytes = this.array.bytes!;
      for (const s of sectors) {
        const start = bank.offset + s * FLASH_SECTOR;
        const len = Math.min(FLASH_SECTOR, bank.size);
        bytes.fill(0xff, start, start + len);
        this.array.onWrite?.(start, len);
        this.stats.sectorsErased++;
      }
      bank.sr |= FLASH_SR.EOP;
    });
  }

  // ---- registers ---------------------------------------------------------------------------

  read(offset: number, size: AccessSize): number {
    const word = this.readWord(offset & ~3);
    const shift = (offset & 3) * 8;
    return size === 4 ? word : (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  private bankFor(off: number): FlashBank | undefined {
    return this.banks[off >= 0x100 ? 1 : 0];
  }

  private readWord(offset: number): number {
    const reg = offset & 0xff;
    const bank = this.bankFor(offset);
    switch (reg) {
      case FLASH_REG.ACR: return this.acr;
      case FLASH_REG.OPTKEYR: return 0;
      case FLASH_REG.OPTCR: return this.optcr >>> 0;
      case FLASH_REG.OPTSR_CUR: return this.optsrCur >>> 0;
      case FLASH_REG.OPTSR_PRG: return this.optsrPrg >>> 0;
      case FLASH_REG.BOOT_CURR: return this.bootCur >>> 0;
      case FLASH_REG.BOOT_PRGR: return this.bootPrg >>> 0;
    }
    if (!bank) return 0;
    switch (reg) {
      case FLASH_REG.KEYR1: return 0;
      case FLASH_REG.CR1: return bank.cr >>> 0;
      case FLASH_REG.SR1: {
        if (bank.op && this.timings.timeFrozen() && ++bank.op.polls >= this.timings.pollsToComplete) this.complete(bank);
        else this.poll(bank);
        return this.status(bank);
      }
      case FLASH_REG.CCR1: return 0;
      case FLASH_REG.PRAR_CUR1: case FLASH_REG.PRAR_PRG1: return bank.prar;
      case FLASH_REG.SCAR_CUR1: case FLASH_REG.SCAR_PRG1: return bank.scar;
      case FLASH_REG.WPSN_CUR1R: return bank.wpsnCur;
      case FLASH_REG.WPSN_PRG1R: return bank.wpsnPrg;
      default: return 0;
    }
  }

  private status(bank: FlashBank): number {
    let v = bank.sr;
    if (bank.bufCount > 0) v |= FLASH_SR.WBNE;
    if (bank.op) v |= FLASH_SR.QW | FLASH_SR.BSY;
    return v >>> 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) {
      // Registers take 32-bit writes; narrower ones merge into the word (as the AHB bridge does).
      const shift = (offset & 3) * 8;
      const mask = (size === 1 ? 0xff : 0xffff) << shift;
      const old = this.readWordQuiet(offset & ~3);
      value = ((old & ~mask) | ((value << shift) & mask)) >>> 0;
      offset &= ~3;
    }
    const reg = offset & 0xff;
    const bank = this.bankFor(offset);
    switch (reg) {
      case FLASH_REG.ACR:
        this.acr = value & 0x3f;
        return;
      case FLASH_REG.OPTKEYR:
        this.optKey(value >>> 0);
        return;
      case FLASH_REG.OPTCR:
        this.writeOptcr(value >>> 0);
        return;
      case FLASH_REG.OPTSR_PRG:
        if (!(this.optcr & FLASH_OPTCR.OPTLOCK)) this.optsrPrg = value >>> 0;
        return;
      case FLASH_REG.BOOT_PRGR:
        if (!(this.optcr & FLASH_OPTCR.OPTLOCK)) this.bootPrg = value >>> 0;
        return;
      case FLASH_REG.OPTCCR:
        return;
    }
    if (!bank) return;
    switch (reg) {
      case FLASH_REG.KEYR1:
        this.key(bank, value >>> 0);
        return;
      case FLASH_REG.CR1:
        this.writeCr(bank, value >>> 0);
        return;
      case FLASH_REG.CCR1:
        bank.sr &= ~(value & SR_CLEARABLE);
        this.update();
        return;
      case FLASH_REG.WPSN_PRG1R:
        if (!(this.optcr & FLASH_OPTCR.OPTLOCK)) bank.wpsnPrg = value & 0xff;
        return;
      default:
        return;
    }
  }

  private readWordQuiet(offset: number): number {
    const bank = this.bankFor(offset);
    if ((offset & 0xff) === FLASH_REG.CR1 && bank) return bank.cr;
    if ((offset & 0xff) === FLASH_REG.SR1 || (offset & 0xff) === FLASH_REG.CCR1) return 0;
    return this.readWord(offset);
  }

  private key(bank: FlashBank, value: number): void {
    if (bank.keyState === 0 && value === FLASH_KEY1) bank.keyState = 1;
    else if (bank.keyState === 1 && value === FLASH_KEY2) {
      bank.keyState = 2;
      bank.cr &= ~FLASH_CR.LOCK;
    } else {
      // A wrong key, or a key while unlocked: locked until the next reset.
      bank.keyState = 3;
      bank.cr |= FLASH_CR.LOCK;
    }
  }

  private optKey(value: number): void {
    if (this.optKeyState === 0 && value === FLASH_OPTKEY1) this.optKeyState = 1;
    else if (this.optKeyState === 1 && value === FLASH_OPTKEY2) {
      this.optKeyState = 2;
      this.optcr &= ~FLASH_OPTCR.OPTLOCK;
    } else {
      this.optKeyState = 3;
      this.optcr |= FLASH_OPTCR.OPTLOCK;
    }
  }

  private writeCr(bank: FlashBank, value: number): void {
    if (bank.locked) return; // CR is write-protected while LOCK is set
    this.poll(bank);
    if (value & FLASH_CR.LOCK) {
      // Setting LOCK leaves the other bits as they are; a new key sequence is needed.
      bank.cr |= FLASH_CR.LOCK;
      bank.keyState = 0;
      return;
    }
    const keep = FLASH_CR.PG | FLASH_CR.SER | FLASH_CR.BER | FLASH_CR.PSIZE_MASK | FLASH_CR.SNB_MASK | FLASH_CR.CRC_EN | FLASH_CR.IE_MASK;
    bank.cr = (value & keep) >>> 0;
    if (value & FLASH_CR.FW) {
      // Force-write: program a partly filled word, the missing bytes erased (0xFF).
      if (bank.bufCount > 0) this.launchProgram(bank);
    }
    if (value & FLASH_CR.START) {
      const ser = (value & FLASH_CR.SER) !== 0;
      const ber = (value & FLASH_CR.BER) !== 0;
      if (bank.bufCount > 0 || (ser && ber) || ((ser || ber) && (value & FLASH_CR.PG))) {
        this.error(bank, FLASH_SR.PGSERR);
        return;
      }
      if (ser || ber) {
        this.finishNow(bank);
        const sectors = ber
          ? Array.from({ length: this.sectorsPerBank }, (_, i) => i)
          : [(value & FLASH_CR.SNB_MASK) >>> FLASH_CR.SNB_SHIFT].filter((n) => n < this.sectorsPerBank); // STM32H750: only sector 0 is there
        this.erase(bank, sectors);
      }
    }
    this.update();
  }

  private writeOptcr(value: number): void {
    if (this.optcr & FLASH_OPTCR.OPTLOCK) return;
    if (value & FLASH_OPTCR.OPTLOCK) {
      this.optcr |= FLASH_OPTCR.OPTLOCK;
      this.optKeyState = 0;
      return;
    }
    this.optcr = (value & (FLASH_OPTCR.OPTCHANGEERRIE | FLASH_OPTCR.SWAP_BANK)) >>> 0;
    if (value & FLASH_OPTCR.MER) {
      // Mass erase: both banks, refused (WRPERR) if any sector is write-protected.
      for (const bank of this.banks) {
        if (bank.locked || bank.bufCount > 0) {
          this.error(bank, FLASH_SR.PGSERR);
          continue;
        }
        this.finishNow(bank);
        this.erase(bank, Array.from({ length: this.sectorsPerBank }, (_, i) => i));
      }
    }
    if (value & FLASH_OPTCR.OPTSTART) {
      // Option byte change: the programmed values become current. Leaving RDP level 1
      // for level 0 erases the user flash, as on silicon.
      const oldRdp = (this.optsrCur >>> 8) & 0xff;
      const newRdp = (this.optsrPrg >>> 8) & 0xff;
      if (oldRdp !== 0xaa && oldRdp !== 0xcc && newRdp === 0xaa) {
        this.array.bytes!.fill(0xff);
        this.array.onWrite?.(0, this.array.size);
      }
      if (oldRdp === 0xcc) return; // level 2 is final
      this.optsrCur = this.optsrPrg;
      this.bootCur = this.bootPrg;
      for (const b of this.banks) b.wpsnCur = b.wpsnPrg;
    }
    this.update();
  }

  /** Read-out protection level as OPTSR_CUR.RDP says: 0 (0xAA), 2 (0xCC) or 1 (anything else). */
  get rdpLevel(): 0 | 1 | 2 {
    const rdp = (this.optsrCur >>> 8) & 0xff;
    return rdp === 0xaa ? 0 : rdp === 0xcc ? 2 : 1;
  }

  private update(): void {
    let level = false;
    for (const b of this.banks) {
      const ie = b.cr & FLASH_CR.IE_MASK;
      if (b.sr & ie & SR_CLEARABLE) level = true;
    }
    this.irq(level);
  }
}
