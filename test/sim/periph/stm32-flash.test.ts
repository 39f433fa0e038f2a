// The STM32H7 flash controller (RM0433 chapter 4) on the simulated STM32H743: unlock
// keys, sector/bank/mass erase, the 256-bit flash word through the write buffer, the
// busy flags, and the error flags raised by the same wrong sequences as on silicon.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard } from '../../../src/sim/boards/index.js';
import { Stm32h7Board } from '../../../src/sim/boards/stm32h7.js';
import { FLASH_CR, FLASH_SR, FLASH_KEY1, FLASH_KEY2, FLASH_OPTKEY1, FLASH_OPTKEY2 } from '../../../src/sim/periph/stm32/flash.js';

const F = 0x52002000;
const KEYR = [F + 0x04, F + 0x104], CR = [F + 0x0c, F + 0x10c], SR = [F + 0x10, F + 0x110], CCR = [F + 0x14, F + 0x114];
const OPTKEYR = F + 0x08, OPTCR = F + 0x18, OPTSR_CUR = F + 0x1c, WPSN_CUR1 = F + 0x38, WPSN_PRG1 = F + 0x3c;
const ERRORS = FLASH_SR.WRPERR | FLASH_SR.PGSERR | FLASH_SR.STRBERR | FLASH_SR.INCERR | FLASH_SR.OPERR;

function fresh(): Stm32h7Board {
  const b = createBoard('stm32h743');
  assert.ok(b instanceof Stm32h7Board);
  b.reset();
  return b;
}

const sr = (b: Stm32h7Board, bank = 0) => b.bus.read32(SR[bank]);
function unlock(b: Stm32h7Board, bank = 0): void {
  b.bus.write32(KEYR[bank], FLASH_KEY1);
  b.bus.write32(KEYR[bank], FLASH_KEY2);
  assert.equal(b.bus.read32(CR[bank]) & FLASH_CR.LOCK, 0, 'unlocked');
}
/** Let simulated time pass (the core would be running meanwhile). */
function wait(b: Stm32h7Board, cycles = 1_000_000): void {
  b.clock.now += cycles;
  b.clock.fireDue();
}
function words(b: Stm32h7Board, addr: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => b.bus.read32(addr + 4 * i));
}

test('after reset: CR locked with PSIZE 64 bits, SR clear, RDP level 0 and no write protection visible', () => {
  const b = fresh();
  assert.equal(b.bus.read32(CR[0]), 0x31);
  assert.equal(b.bus.read32(CR[1]), 0x31);
  assert.equal(sr(b), 0);
  assert.equal((b.bus.read32(OPTSR_CUR) >>> 8) & 0xff, 0xaa, 'RDP 0xAA = level 0');
  assert.equal(b.bus.read32(WPSN_CUR1), 0xff, 'no sector write-protected');
  assert.equal(b.bus.read32(F + 0x00) & 0x3f, 0x37, 'ACR reset value');
});

test('programming without unlocking: PGSERR, the flash stays erased', () => {
  const b = fresh();
  b.bus.write32(CR[0], FLASH_CR.PG); // ignored: CR is locked
  assert.equal(b.bus.read32(CR[0]) & FLASH_CR.PG, 0);
  b.bus.write32(0x08000000, 0x12345678);
  assert.equal(sr(b) & ERRORS, FLASH_SR.PGSERR);
  wait(b);
  assert.equal(b.bus.read32(0x08000000), 0xffffffff);
  // PG not set, unlocked: the same error
  b.bus.write32(CCR[0], FLASH_SR.PGSERR);
  assert.equal(sr(b), 0);
  unlock(b);
  b.bus.write32(0x08000000, 0x12345678);
  assert.equal(sr(b) & ERRORS, FLASH_SR.PGSERR);
});

test('a wrong key locks the bank until reset; the keys again while unlocked lock it too', () => {
  const b = fresh();
  b.bus.write32(KEYR[0], FLASH_KEY2);
  b.bus.write32(KEYR[0], FLASH_KEY1);
  b.bus.write32(KEYR[0], FLASH_KEY2);
  assert.equal(b.bus.read32(CR[0]) & FLASH_CR.LOCK, FLASH_CR.LOCK, 'still locked after the right keys');
  unlock(b, 1); // bank 2 has its own lock
  b.reset();
  unlock(b);
  b.bus.write32(KEYR[0], FLASH_KEY1);
  assert.equal(b.bus.read32(CR[0]) & FLASH_CR.LOCK, FLASH_CR.LOCK);
  b.bus.write32(CR[0], FLASH_CR.LOCK);
  b.reset();
  unlock(b);
  b.bus.write32(CR[0], FLASH_CR.LOCK); // setting LOCK needs a new key sequence
  assert.equal(b.bus.read32(CR[0]) & FLASH_CR.LOCK, FLASH_CR.LOCK);
  unlock(b);
});

test('sector erase, then a flash word programmed through the write buffer (WBNE, QW/BSY, EOP) and read back', () => {
  const b = fresh();
  b.bus.load(0x08020000, new Uint8Array(64).fill(0x5a)); // old contents in sector 1
  unlock(b);
  b.bus.write32(CR[0], FLASH_CR.SER | (1 << FLASH_CR.SNB_SHIFT));
  b.bus.write32(CR[0], FLASH_CR.SER | (1 << FLASH_CR.SNB_SHIFT) | FLASH_CR.START);
  assert.equal(sr(b) & (FLASH_SR.QW | FLASH_SR.BSY), FLASH_SR.QW | FLASH_SR.BSY, 'busy while erasing');
  assert.equal(b.bus.read32(0x08020000), 0x5a5a5a5a, 'not erased yet');
  wait(b);
  assert.equal(sr(b), FLASH_SR.EOP);
  assert.deepEqual(words(b, 0x08020000, 16), new Array(16).fill(0xffffffff));
  assert.equal(b.bus.read32(0x08000000), 0xffffffff, 'sector 0 untouched');
  b.bus.write32(CCR[0], FLASH_SR.EOP);

  b.bus.write32(CR[0], FLASH_CR.PG | (3 << 4));
  const data = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c, 0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c];
  for (let i = 0; i < 7; i++) {
    b.bus.write32(0x08020020 + 4 * i, data[i]);
    assert.equal(sr(b) & (FLASH_SR.WBNE | FLASH_SR.QW), FLASH_SR.WBNE, `word ${i}: in the write buffer`);
  }
  assert.equal(b.bus.read32(0x08020020), 0xffffffff, 'nothing programmed before the flash word is complete');
  b.bus.write32(0x08020020 + 28, data[7]);
  assert.equal(sr(b) & (FLASH_SR.WBNE | FLASH_SR.QW), FLASH_SR.QW, 'the 8th word starts the programming');
  wait(b);
  assert.equal(sr(b) & ~FLASH_SR.EOP, 0);
  assert.equal(sr(b) & FLASH_SR.EOP, FLASH_SR.EOP);
  assert.deepEqual(words(b, 0x08020020, 8), data);
  // Byte and halfword writes fill the buffer as well.
  for (let i = 0; i < 32; i += 2) b.bus.write16(0x08020040 + i, 0xbeef);
  wait(b);
  assert.equal(b.bus.read32(0x08020040), 0xbeefbeef);
  assert.equal(sr(b) & ERRORS, 0);
  assert.equal(b.flash.stats.wordsProgrammed, 2);
});

test('programming a flash word that is not erased: OPERR, contents unchanged', () => {
  const b = fresh();
  unlock(b);
  b.bus.write32(CR[0], FLASH_CR.PG);
  for (let i = 0; i < 8; i++) b.bus.write32(0x08000000 + 4 * i, 0x11111111 * (i + 1));
  wait(b);
  for (let i = 0; i < 8; i++) b.bus.write32(0x08000000 + 4 * i, 0);
  wait(b);
  assert.equal(sr(b) & ERRORS, FLASH_SR.OPERR);
  assert.equal(b.bus.read32(0x08000004), 0x22222222);
});

test('crossing flash words: INCERR and the buffer is flushed; the same byte twice: STRBERR', () => {
  const b = fresh();
  unlock(b);
  b.bus.write32(CR[0], FLASH_CR.PG);
  for (let i = 0; i < 4; i++) b.bus.write32(0x08000000 + 4 * i, 0xaaaaaaaa);
  b.bus.write32(0x08000020, 0xbbbbbbbb); // next flash word while the first is half-written
  assert.equal(sr(b) & ERRORS, FLASH_SR.INCERR);
  assert.equal(sr(b) & FLASH_SR.WBNE, 0, 'buffer flushed');
  wait(b);
  assert.deepEqual(words(b, 0x08000000, 9), new Array(9).fill(0xffffffff), 'nothing programmed');
  b.bus.write32(CCR[0], ERRORS);
  // An unaligned word write that straddles two flash words is the same mistake.
  b.bus.write32(0x0800005e, 0x12345678);
  assert.equal(sr(b) & ERRORS, FLASH_SR.INCERR);
  b.bus.write32(CCR[0], ERRORS);
  b.bus.write32(0x08000000, 1);
  b.bus.write8(0x08000002, 7);
  assert.equal(sr(b) & ERRORS, FLASH_SR.STRBERR);
  assert.equal(sr(b) & FLASH_SR.WBNE, 0);
});

test('FW forces a partly written flash word (the rest stays erased); START with data in the buffer is PGSERR', () => {
  const b = fresh();
  unlock(b);
  b.bus.write32(CR[0], FLASH_CR.PG);
  b.bus.write32(0x08000040, 0xcafef00d);
  b.bus.write32(0x08000048, 0x0badc0de);
  b.bus.write32(CR[0], FLASH_CR.PG | FLASH_CR.FW);
  wait(b);
  assert.deepEqual(words(b, 0x08000040, 8), [0xcafef00d, 0xffffffff, 0x0badc0de, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
  assert.equal(sr(b) & ERRORS, 0);
  b.bus.write32(0x08000060, 1);
  b.bus.write32(CR[0], FLASH_CR.SER | FLASH_CR.START);
  assert.equal(sr(b) & ERRORS, FLASH_SR.PGSERR);
  assert.equal(sr(b) & FLASH_SR.QW, 0, 'no erase started');
});

test('write protection from the option bytes: WRPERR on erase and program of a protected sector', () => {
  const b = fresh();
  b.bus.write32(WPSN_PRG1, 0xfe); // ignored while the option bytes are locked
  assert.equal(b.bus.read32(WPSN_PRG1), 0xff);
  b.bus.write32(OPTKEYR, FLASH_OPTKEY1);
  b.bus.write32(OPTKEYR, FLASH_OPTKEY2);
  assert.equal(b.bus.read32(OPTCR) & 1, 0, 'OPTLOCK clear');
  b.bus.write32(WPSN_PRG1, 0xfe); // sector 0 protected
  b.bus.write32(OPTCR, 1 << 1); // OPTSTART
  wait(b);
  assert.equal(b.bus.read32(WPSN_CUR1), 0xfe);
  unlock(b);
  b.bus.write32(CR[0], FLASH_CR.SER | FLASH_CR.START);
  assert.equal(sr(b) & ERRORS, FLASH_SR.WRPERR);
  b.bus.write32(CCR[0], ERRORS);
  b.bus.write32(CR[0], FLASH_CR.PG);
  for (let i = 0; i < 8; i++) b.bus.write32(0x08000000 + 4 * i, 0);
  wait(b);
  assert.equal(sr(b) & ERRORS, FLASH_SR.WRPERR);
  assert.equal(b.bus.read32(0x08000000), 0xffffffff);
  b.reset();
  assert.equal(b.bus.read32(WPSN_CUR1), 0xfe, 'option bytes survive a reset');
});

test('bank 2 at 0x08100000 has its own registers; bank and mass erase; flash survives a system reset', () => {
  const b = fresh();
  b.bus.load(0x08000000, new Uint8Array(16).fill(1));
  b.bus.load(0x081e0000, new Uint8Array(16).fill(2));
  b.bus.write32(CR[1], FLASH_CR.PG); // locked
  unlock(b, 1);
  b.bus.write32(CR[1], FLASH_CR.PG);
  for (let i = 0; i < 8; i++) b.bus.write32(0x08100000 + 4 * i, 0x600d0000 + i);
  wait(b);
  assert.equal(b.bus.read32(0x0810001c), 0x600d0007);
  assert.equal(sr(b, 0), 0, 'bank 1 status untouched');
  b.reset();
  assert.equal(b.bus.read32(0x0810001c), 0x600d0007, 'flash is non-volatile');
  assert.equal(b.bus.read32(CR[1]) & FLASH_CR.LOCK, FLASH_CR.LOCK, 'relocked by the reset');
  unlock(b, 1);
  b.bus.write32(CR[1], FLASH_CR.BER | FLASH_CR.START);
  wait(b, 10_000_000);
  assert.equal(b.bus.read32(0x08100000), 0xffffffff);
  assert.equal(b.bus.read32(0x081e0000), 0xffffffff);
  assert.equal(b.bus.read32(0x08000000), 0x01010101, 'bank 1 kept');
  // Mass erase: both banks unlocked, then OPTCR.MER with the option bytes unlocked.
  unlock(b, 0);
  b.bus.write32(OPTKEYR, FLASH_OPTKEY1);
  b.bus.write32(OPTKEYR, FLASH_OPTKEY2);
  b.bus.write32(OPTCR, 1 << 4);
  wait(b, 10_000_000);
  assert.equal(b.bus.read32(0x08000000), 0xffffffff);
  assert.equal(sr(b, 0) & FLASH_SR.EOP, FLASH_SR.EOP);
});

test('a debugger polling SR with the core halted sees the operation end (simulated time stands still)', () => {
  const b = fresh();
  unlock(b);
  b.cpu.halted = true;
  b.bus.write32(CR[0], FLASH_CR.SER | (2 << FLASH_CR.SNB_SHIFT) | FLASH_CR.START);
  let polls = 0;
  while (sr(b) & FLASH_SR.QW) polls++;
  assert.ok(polls > 0 && polls < 10, `${polls} polls`);
  assert.equal(sr(b) & FLASH_SR.EOP, FLASH_SR.EOP);
});

test('the STM32H750 has one 128 KiB bank: sector 0 only', () => {
  const b = createBoard('stm32h750') as Stm32h7Board;
  b.reset();
  b.bus.load(0x08010000, new Uint8Array(4));
  unlock(b);
  b.bus.write32(CR[0], FLASH_CR.SER | FLASH_CR.START);
  wait(b);
  assert.equal(b.bus.read32(0x08010000), 0xffffffff);
  assert.equal(b.bus.read32(CR[1]), 0, 'no bank 2 registers');
});
