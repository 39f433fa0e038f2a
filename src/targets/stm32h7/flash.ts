// The STM32H7 (RM0433) flash driver, host side, through the target's MEM-AP only:
// - unlock a bank: KEY1, KEY2 into FLASH_KEYRx, only while CR.LOCK is set (keys written
//   to an unlocked bank lock it until the next reset);
// - erase: SER + SNB, then START (BER for a whole bank); wait for QW/BSY to clear;
// - program: PG set, then whole 32-byte flash words written with large block writes
//   (each word is programmed once its 32 bytes are in the write buffer; on silicon the
//   AHB stalls while the queue is full); QW polled at the end of each chunk;
// - after each step SR's error flags (WRPERR, PGSERR, STRBERR, INCERR, OPERR, ...) are
//   checked, cleared through CCR and turned into a FlashError naming them;
// - done(): PG cleared, both banks locked again.
// Both banks work independently: erases of sectors in different banks run in parallel.
import type { MemAccessPort } from '../../adi/mem-ap.js';
import { FlashError, type FlashDriver, type FlashProgress, type FlashRegion } from '../flash.js';
import { CCR_CLEAR_ALL, CR, FLASH, FLASH_BANK_STRIDE, FLASH_BASE, FLASH_WORD, KEY1, KEY2, SECTOR_SIZE, SR, SR_ERRORS, SR_OP_ERRORS, flagNames } from './registers.js';

/** Bytes programmed between two SR checks: large for speed, small enough to name the failing range. */
const PROGRAM_CHUNK = 16 * 1024;
/** Timeouts (silicon: a flash word ~16 us, a sector up to ~4 s, a bank ~16 s at x64). */
const PROGRAM_TIMEOUT_MS = 5_000;
const SECTOR_TIMEOUT_MS = 10_000;
const BANK_TIMEOUT_MS = 60_000;

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

export interface Stm32h7Bank {
  /** 1 or 2, as RM0433 numbers them. */
  readonly number: 1 | 2;
  readonly start: number;
  readonly size: number;
}

interface Bank extends Stm32h7Bank {
  readonly regs: number;
  readonly region: FlashRegion;
}

export class Stm32h7FlashDriver implements FlashDriver {
  readonly name = 'STM32H7 flash';
  readonly regions: readonly FlashRegion[];
  private readonly banks: Bank[];

  constructor(
    private readonly mem: MemAccessPort,
    banks: readonly Stm32h7Bank[],
  ) {
    this.banks = banks.map((b) => ({
      ...b,
      regs: FLASH_BASE + (b.number - 1) * FLASH_BANK_STRIDE,
      region: { name: `bank ${b.number}`, start: b.start, length: b.size, sectorSize: Math.min(SECTOR_SIZE, b.size), writeSize: FLASH_WORD, erasedValue: 0xff },
    }));
    this.regions = this.banks.map((b) => b.region);
  }

  private bankAt(address: number): Bank | undefined {
    return this.banks.find((b) => address >= b.start && address - b.start < b.size);
  }

  /** The banks' pieces of [address, address+length); FlashError if any byte is outside flash. */
  private split(address: number, length: number, what: string): { bank: Bank; start: number; end: number }[] {
    const out: { bank: Bank; start: number; end: number }[] = [];
    let a = address >>> 0;
    const end = a + length;
    while (a < end) {
      const bank = this.bankAt(a);
      if (!bank) {
        const where = this.banks.map((b) => `${hex(b.start)}-${hex(b.start + b.size - 1)}`).join(', ');
        throw new FlashError(`${what} at ${hex(a)}: not in flash (${this.name}: ${where})`, a);
      }
      const e = Math.min(end, bank.start + bank.size);
      out.push({ bank, start: a, end: e });
      a = e;
    }
    return out;
  }

  // ---- controller steps ----------------------------------------------------------------

  private async unlock(bank: Bank): Promise<void> {
    let cr = await this.mem.read32(bank.regs + FLASH.CR);
    if (cr & CR.LOCK) {
      await this.mem.writeMany32([[bank.regs + FLASH.KEYR, KEY1], [bank.regs + FLASH.KEYR, KEY2]]);
      cr = await this.mem.read32(bank.regs + FLASH.CR);
      if (cr & CR.LOCK) {
        throw new FlashError(`flash bank ${bank.number} stays locked after the unlock keys (FLASH_CR${bank.number}.LOCK): a wrong key sequence locks it until the next reset; reset the chip and retry`, bank.start);
      }
    }
  }

  /** Wait while a program or erase is queued or running; return SR. */
  private async waitIdle(bank: Bank, timeoutMs: number, what: string): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (let polls = 0; ; polls++) {
      const sr = await this.mem.read32(bank.regs + FLASH.SR);
      if (!(sr & (SR.QW | SR.BSY))) return sr;
      if (Date.now() > deadline) throw new FlashError(`${what}: flash bank ${bank.number} still busy after ${timeoutMs / 1000} s (FLASH_SR${bank.number} ${hex(sr)})`, bank.start, ['BSY']);
      // Through a probe each poll is a round trip already; in-process, do not spin the event loop dry.
      if (polls > 64) await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Throw a FlashError (after clearing the flags) when SR holds an operation error. */
  private async check(bank: Bank, sr: number, what: string, address: number): Promise<void> {
    if (!(sr & SR_OP_ERRORS)) return;
    await this.mem.write32(bank.regs + FLASH.CCR, CCR_CLEAR_ALL);
    const flags = flagNames(sr & SR_OP_ERRORS);
    const meanings = SR_ERRORS.filter((e) => sr & SR_OP_ERRORS & e.bit).map((e) => `${e.name}: ${e.meaning}`);
    let hint = '';
    if (flags.includes('WRPERR')) {
      // Name the protected sectors and the way out, as the user cannot see option bytes here.
      const wpsn = await this.mem.read32(bank.regs + FLASH.WPSN_CUR).catch(() => 0xff);
      const sectors = bank.size / bank.region.sectorSize;
      const protectedSectors = Array.from({ length: sectors }, (_, i) => i).filter((i) => !(wpsn & (1 << i)));
      if (protectedSectors.length) {
        hint = `; write-protected in bank ${bank.number}: sector${protectedSectors.length > 1 ? 's' : ''} ${protectedSectors.join(', ')} (FLASH_WPSN_CUR${bank.number}R ${hex(wpsn)}); clear the WPSN bits in the option bytes (e.g. with STM32CubeProgrammer or OpenOCD's flash protect) to unprotect them`;
      }
    }
    throw new FlashError(`${what} failed: ${flags.map((f) => `FLASH_SR${bank.number}.${f}`).join(', ')} (${meanings.join('; ')})${hint}`, address, flags);
  }

  /** Unlock, finish what is pending and clear old flags: the bank is ready for a new operation. */
  private async prepare(bank: Bank, what: string): Promise<number> {
    await this.unlock(bank);
    await this.waitIdle(bank, SECTOR_TIMEOUT_MS, what);
    await this.mem.write32(bank.regs + FLASH.CCR, CCR_CLEAR_ALL);
    const cr = await this.mem.read32(bank.regs + FLASH.CR);
    // Keep PSIZE as found; drop PG/SER/BER left by someone else.
    return (cr & (3 << 4)) >>> 0;
  }

  // ---- erase -----------------------------------------------------------------------------

  async erase(address: number, length: number, progress?: FlashProgress): Promise<void> {
    if (length <= 0) return;
    const jobs: { bank: Bank; sectors: number[] | 'bank' }[] = [];
    for (const p of this.split(address, length, 'erase')) {
      const size = p.bank.region.sectorSize;
      const first = Math.floor((p.start - p.bank.start) / size);
      const last = Math.floor((p.end - 1 - p.bank.start) / size);
      const all = first === 0 && last === p.bank.size / size - 1 && last > 0;
      jobs.push({ bank: p.bank, sectors: all ? 'bank' : Array.from({ length: last - first + 1 }, (_, i) => first + i) });
    }
    await this.run(jobs, progress);
  }

  async eraseMass(progress?: FlashProgress): Promise<void> {
    // BER on every bank at once (what OPTCR.MER does, without touching the option bytes).
    await this.run(this.banks.map((bank) => ({ bank, sectors: 'bank' as const })), progress);
  }

  private async run(jobs: { bank: Bank; sectors: number[] | 'bank' }[], progress?: FlashProgress): Promise<void> {
    const total = jobs.reduce((n, j) => n + (j.sectors === 'bank' ? j.bank.size : j.sectors.length * j.bank.region.sectorSize), 0);
    let done = 0;
    progress?.('erase', 0, total);
    // Step k erases the k-th sector of every bank at once.
    const steps = Math.max(...jobs.map((j) => (j.sectors === 'bank' ? 1 : j.sectors.length)));
    for (let k = 0; k < steps; k++) {
      const started: { bank: Bank; psize: number; what: string; bytes: number; address: number; timeout: number }[] = [];
      for (const j of jobs) {
        const b = j.bank;
        if (j.sectors === 'bank') {
          if (k > 0) continue;
          const what = `erase of flash bank ${b.number}`;
          const psize = await this.prepare(b, what);
          await this.mem.writeMany32([[b.regs + FLASH.CR, psize | CR.BER], [b.regs + FLASH.CR, psize | CR.BER | CR.START]]);
          started.push({ bank: b, psize, what, bytes: b.size, address: b.start, timeout: BANK_TIMEOUT_MS });
        } else {
          const s = j.sectors[k];
          if (s === undefined) continue;
          const at = b.start + s * b.region.sectorSize;
          const what = `erase of sector ${s} of bank ${b.number} (${hex(at)})`;
          const psize = await this.prepare(b, what);
          const cr = psize | CR.SER | (s << CR.SNB_SHIFT);
          await this.mem.writeMany32([[b.regs + FLASH.CR, cr], [b.regs + FLASH.CR, cr | CR.START]]);
          started.push({ bank: b, psize, what, bytes: b.region.sectorSize, address: at, timeout: SECTOR_TIMEOUT_MS });
        }
      }
      for (const s of started) {
        const sr = await this.waitIdle(s.bank, s.timeout, s.what);
        await this.mem.write32(s.bank.regs + FLASH.CR, s.psize);
        await this.check(s.bank, sr, s.what, s.address);
        done += s.bytes;
        progress?.('erase', done, total);
      }
    }
  }

  // ---- program ---------------------------------------------------------------------------

  async program(address: number, data: Uint8Array, progress?: FlashProgress): Promise<void> {
    if (data.length === 0) return;
    address >>>= 0;
    // Whole flash words, the padding erased.
    const start = address - (address % FLASH_WORD);
    const end = Math.ceil((address + data.length) / FLASH_WORD) * FLASH_WORD;
    let buf = data;
    if (start !== address || end !== address + data.length) {
      buf = new Uint8Array(end - start).fill(0xff);
      buf.set(data, address - start);
    }
    const total = end - start;
    let done = 0;
    progress?.('program', 0, total);
    for (const p of this.split(start, total, 'program')) {
      const b = p.bank;
      const psize = await this.prepare(b, `program at ${hex(p.start)}`);
      await this.mem.write32(b.regs + FLASH.CR, psize | CR.PG);
      try {
        for (let a = p.start; a < p.end; a += PROGRAM_CHUNK) {
          const n = Math.min(PROGRAM_CHUNK, p.end - a);
          const what = `program of ${hex(a)}-${hex(a + n - 1)}`;
          await this.mem.writeBlock(a, buf.subarray(a - start, a - start + n));
          const sr = await this.waitIdle(b, PROGRAM_TIMEOUT_MS, what);
          await this.check(b, sr, what, a);
          if (sr & SR.WBNE) throw new FlashError(`${what}: a partly written flash word stayed in the write buffer (FLASH_SR${b.number}.WBNE)`, a, ['WBNE']);
          done += n;
          progress?.('program', done, total);
        }
      } finally {
        // PG must be clear before the next erase (SER with PG is a sequence error).
        await this.mem.write32(b.regs + FLASH.CR, psize);
      }
    }
  }

  /**
   * Error flags raised behind the driver's back (another tool, firmware, raw writes):
   * FlashError naming them (and clears them), or nothing when all banks are clean.
   */
  async checkErrors(): Promise<void> {
    for (const b of this.banks) {
      const sr = await this.mem.read32(b.regs + FLASH.SR);
      await this.check(b, sr, `flash bank ${b.number}`, b.start);
    }
  }

  async done(): Promise<void> {
    let firstError: unknown;
    for (const b of this.banks) {
      try {
        const cr = await this.mem.read32(b.regs + FLASH.CR);
        if (cr & CR.LOCK) continue;
        await this.waitIdle(b, SECTOR_TIMEOUT_MS, `finishing flash bank ${b.number}`);
        // PG/SER/BER cleared first: setting LOCK leaves the other bits as they are.
        await this.mem.writeMany32([[b.regs + FLASH.CR, cr & (3 << 4)], [b.regs + FLASH.CR, (cr & (3 << 4)) | CR.LOCK]]);
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
  }
}
