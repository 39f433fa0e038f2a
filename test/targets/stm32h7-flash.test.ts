// The STM32H7 flash driver and target detection on the simulated boards, through the
// whole debug path (MEM-AP -> SW-DP -> SimWire -> the board's flash controller model):
// erase, program (unaligned, across the bank boundary), mass erase, and the wrong
// sequences whose SR error flags the driver must turn into FlashErrors naming them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ProbeSession } from '../../src/probe/session.js';
import { connectCortexM, type Connection } from '../../src/cortexm/connect.js';
import { detectTarget, FlashError, Stm32h7FlashDriver, type TargetInfo } from '../../src/targets/index.js';
import { CCR_CLEAR_ALL, CR, FLASH, FLASH_BASE, KEY1, KEY2, SR } from '../../src/targets/stm32h7/registers.js';
import { FLASH_CR, FLASH_KEY1, FLASH_KEY2, FLASH_REG, FLASH_SR } from '../../src/sim/periph/stm32/flash.js';
import { seededBytes } from '../support/patterns.js';

const CR1 = FLASH_BASE + FLASH.CR;
const CR2 = CR1 + 0x100;
const SR1 = FLASH_BASE + FLASH.SR;

async function open(board = 'stm32h743'): Promise<{ session: ProbeSession; conn: Connection; info: TargetInfo; flash: Stm32h7FlashDriver }> {
  const session = ProbeSession.open(`sim:${board}`);
  const conn = await connectCortexM(session.wireFor('test'));
  await conn.core.halt();
  const info = await detectTarget(conn);
  assert.ok(info.flash instanceof Stm32h7FlashDriver);
  return { session, conn, info, flash: info.flash };
}


async function errorOf(p: Promise<unknown>): Promise<FlashError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof FlashError, `expected a FlashError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a FlashError');
}

test('the driver uses the register layout the simulator models', () => {
  assert.equal(FLASH.KEYR, FLASH_REG.KEYR1);
  assert.equal(FLASH.CR, FLASH_REG.CR1);
  assert.equal(FLASH.SR, FLASH_REG.SR1);
  assert.equal(FLASH.CCR, FLASH_REG.CCR1);
  assert.equal(KEY1, FLASH_KEY1);
  assert.equal(KEY2, FLASH_KEY2);
  assert.equal(CR.PG, FLASH_CR.PG);
  assert.equal(CR.SER, FLASH_CR.SER);
  assert.equal(CR.BER, FLASH_CR.BER);
  assert.equal(CR.START, FLASH_CR.START);
  assert.equal(CR.SNB_SHIFT, FLASH_CR.SNB_SHIFT);
  assert.equal(SR.QW, FLASH_SR.QW);
  assert.equal(SR.WBNE, FLASH_SR.WBNE);
});

test('detection: STM32H743 (two 1 MiB banks) and STM32H750 (one 128 KiB sector), revision V', async () => {
  const h743 = await open('stm32h743');
  try {
    const i = h743.info;
    assert.equal(i.chip, 'STM32H743');
    assert.equal(i.family, 'STM32H7');
    assert.equal(i.revision, 'V');
    assert.equal(i.flashSize, 2 * 1024 * 1024);
    assert.match(i.description, /STM32H743 rev V .*2 MiB flash in 2 banks, Cortex-M7 r1p1/);
    const flash = i.memoryMap.filter((r) => r.type === 'flash');
    assert.deepEqual(flash.map((r) => [r.start, r.length, r.blockSize]), [[0x08000000, 0x100000, 0x20000], [0x08100000, 0x100000, 0x20000]]);
    assert.ok(i.memoryMap.some((r) => r.type === 'ram' && r.start === 0x24000000 && r.length === 512 * 1024), 'AXI SRAM');
    assert.ok(i.memoryMap.some((r) => r.type === 'ram' && r.start === 0x20000000), 'DTCM');
    assert.deepEqual(h743.flash.regions.map((r) => [r.start, r.length, r.sectorSize, r.writeSize]), [[0x08000000, 0x100000, 0x20000, 32], [0x08100000, 0x100000, 0x20000, 32]]);
  } finally {
    await h743.session.close();
  }
  const h750 = await open('stm32h750');
  try {
    assert.equal(h750.info.chip, 'STM32H750');
    assert.equal(h750.info.revision, 'V');
    assert.equal(h750.info.flashSize, 128 * 1024);
    assert.deepEqual(h750.info.memoryMap.filter((r) => r.type === 'flash').map((r) => [r.start, r.length, r.blockSize]), [[0x08000000, 0x20000, 0x20000]]);
  } finally {
    await h750.session.close();
  }
});

test('detection: an MPS2 board is a generic Cortex-M target without map or flash driver', async () => {
  const session = ProbeSession.open('sim:mps2-an385');
  try {
    const conn = await connectCortexM(session.wireFor('test'));
    const info = await detectTarget(conn);
    assert.equal(info.family, 'generic');
    assert.equal(info.chip, 'Cortex-M3');
    assert.equal(info.flash, undefined);
    assert.deepEqual(info.memoryMap, []);
    assert.match(info.description, /^Cortex-M3 r\dp\d \(unknown chip: no memory map, no flash driver/);
  } finally {
    await session.close();
  }
});

test('program unaligned data across the bank boundary, erase reads 0xFF, done() locks both banks', async () => {
  const { session, conn, flash } = await open();
  try {
    // Sectors 7 of bank 1 and 0 of bank 2 around the boundary at 0x08100000.
    await flash.erase(0x080fff00, 0x200);
    const start = 0x080fffe3; // not on a flash word
    const data = seededBytes(0x151, 7); // ends mid-word in bank 2
    await flash.program(start, data);
    await flash.done();
    assert.deepEqual(await conn.mem.readBlock(start, data.length), data);
    // The padding of the first and last flash words stays erased.
    assert.deepEqual([...(await conn.mem.readBlock(0x080fffe0, 3))], [0xff, 0xff, 0xff]);
    const end = start + data.length;
    const padEnd = Math.ceil(end / 32) * 32;
    assert.ok((await conn.mem.readBlock(end, padEnd - end)).every((b) => b === 0xff));
    assert.equal((await conn.mem.read32(CR1)) & CR.LOCK, CR.LOCK, 'bank 1 locked');
    assert.equal((await conn.mem.read32(CR2)) & CR.LOCK, CR.LOCK, 'bank 2 locked');
    assert.equal((await conn.mem.read32(CR1)) & CR.PG, 0, 'PG cleared');

    // Erase sector 0 of bank 2 only: bank 2's part reads 0xFF, bank 1's part stays.
    await flash.erase(0x08100000, 1);
    await flash.done();
    assert.ok((await conn.mem.readBlock(0x08100000, 0x200)).every((b) => b === 0xff));
    assert.deepEqual(await conn.mem.readBlock(start, 0x08100000 - start), data.subarray(0, 0x08100000 - start));
  } finally {
    await session.close();
  }
});

test('mass erase: both banks read 0xFF afterwards', async () => {
  const { session, conn, flash } = await open();
  try {
    await flash.program(0x08000000, seededBytes(4096, 3));
    await flash.program(0x081e0000, seededBytes(4096, 4));
    await flash.done();
    assert.notEqual(await conn.mem.read32(0x08000000), 0xffffffff);
    await flash.eraseMass();
    await flash.done();
    for (const a of [0x08000000, 0x080ffffc, 0x08100000, 0x081e0000, 0x081ffffc]) assert.equal(await conn.mem.read32(a), 0xffffffff, `0x${a.toString(16)}`);
    assert.ok((await conn.mem.readBlock(0x081e0000, 4096)).every((b) => b === 0xff));
  } finally {
    await session.close();
  }
});

test('the H750 (one sector) erases and programs its 128 KiB; outside it is refused', async () => {
  const { session, conn, flash } = await open('stm32h750');
  try {
    const data = seededBytes(128 * 1024, 9);
    await flash.eraseMass();
    await flash.program(0x08000000, data);
    await flash.done();
    assert.deepEqual(await conn.mem.readBlock(0x08000000, data.length), data);
    const e = await errorOf(flash.program(0x08020000, new Uint8Array(32)));
    assert.match(e.message, /at 0x08020000: not in flash/);
  } finally {
    await session.close();
  }
});

test('programming a flash word that is not erased: FlashError naming FLASH_SR1.OPERR and the range', async () => {
  const { session, conn, flash } = await open();
  try {
    await flash.erase(0x08020000, 1);
    await flash.program(0x08020000, seededBytes(64, 1));
    const e = await errorOf(flash.program(0x08020020, seededBytes(32, 2)));
    assert.deepEqual(e.flags, ['OPERR']);
    assert.equal(e.address, 0x08020020);
    assert.match(e.message, /program of 0x08020020-0x0802003f failed: FLASH_SR1\.OPERR \(OPERR: the flash word was not erased/);
    // The word keeps its old contents, the flag is cleared, the controller relocks.
    assert.deepEqual(await conn.mem.readBlock(0x08020020, 32), seededBytes(64, 1).subarray(32));
    assert.equal((await conn.mem.read32(SR1)) & FLASH_SR.OPERR, 0);
    await flash.done();
    assert.equal((await conn.mem.read32(CR1)) & CR.LOCK, CR.LOCK);
  } finally {
    await session.close();
  }
});

test('wrong sequences through the debug wire raise the SR flags silicon raises; the driver names them', async () => {
  const { session, conn, flash } = await open();
  const mem = conn.mem;
  const unlockRaw = async () => {
    await mem.write32(FLASH_BASE + FLASH.KEYR, KEY1);
    await mem.write32(FLASH_BASE + FLASH.KEYR, KEY2);
  };
  const flags = async () => (await errorOf(flash.checkErrors())).flags;
  try {
    await flash.checkErrors(); // clean after reset

    // Programming without unlocking: PGSERR, the flash stays erased.
    await mem.write32(0x08000000, 0x12345678);
    assert.ok((await mem.read32(SR1)) & FLASH_SR.PGSERR);
    const e = await errorOf(flash.checkErrors());
    assert.deepEqual(e.flags, ['PGSERR']);
    assert.match(e.message, /FLASH_SR1\.PGSERR \(PGSERR: programming sequence error/);
    assert.equal(await mem.read32(0x08000000), 0xffffffff);
    await flash.checkErrors(); // cleared by the first report

    // The same byte twice in the write buffer: STRBERR.
    await unlockRaw();
    await mem.write32(CR1, CR.PSIZE_X64 | CR.PG);
    await mem.write8(0x08000000, 0x11);
    await mem.write8(0x08000000, 0x22);
    assert.deepEqual(await flags(), ['STRBERR']);

    // Another flash word while one is partly written: INCERR.
    await mem.write32(0x08000000, 0x11111111);
    await mem.write32(0x08000040, 0x22222222);
    assert.deepEqual(await flags(), ['INCERR']);

    // START with data in the write buffer: PGSERR (PG cleared first, so only the buffer is wrong).
    await mem.write32(0x08000000, 0x33333333);
    assert.ok((await mem.read32(SR1)) & SR.WBNE);
    await mem.write32(CR1, CR.PSIZE_X64);
    await mem.write32(CR1, CR.PSIZE_X64 | CR.SER | CR.START);
    assert.deepEqual(await flags(), ['PGSERR']);
    assert.equal(await mem.read32(0x08000000), 0xffffffff, 'nothing programmed');

    // A flash word that is not erased: OPERR.
    await mem.write32(FLASH_BASE + FLASH.CCR, CCR_CLEAR_ALL);
    await flash.program(0x08000000, seededBytes(32, 5)); // the driver's own, fine; bank 1 stays unlocked
    await mem.write32(CR1, CR.PSIZE_X64 | CR.PG);
    await mem.writeBlock(0x08000000, new Uint8Array(32));
    for (let i = 0; i < 8 && (await mem.read32(SR1)) & SR.QW; i++);
    assert.deepEqual(await flags(), ['OPERR']);
    await flash.done();

    // A wrong key locks the bank until the next reset: the driver says so.
    await mem.write32(FLASH_BASE + FLASH.KEYR, 0x12345678);
    const locked = await errorOf(flash.program(0x08000400, new Uint8Array(32)));
    assert.match(locked.message, /flash bank 1 stays locked after the unlock keys \(FLASH_CR1\.LOCK\).*reset the chip/);
  } finally {
    await session.close();
  }
});

test('a write-protected sector (option bytes WPSN): erase fails with WRPERR', async () => {
  const { session, conn, flash } = await open();
  const mem = conn.mem;
  try {
    // Protect sector 0 of bank 1 through the option bytes.
    await mem.write32(FLASH_BASE + FLASH.OPTKEYR, 0x08192a3b);
    await mem.write32(FLASH_BASE + FLASH.OPTKEYR, 0x4c5d6e7f);
    await mem.write32(FLASH_BASE + 0x3c, 0xfe); // WPSN_PRG1R: sector 0 protected
    await mem.write32(FLASH_BASE + FLASH.OPTCR, 1 << 1); // OPTSTART
    await mem.write32(FLASH_BASE + FLASH.OPTCR, 1 << 0); // OPTLOCK
    const e = await errorOf(flash.erase(0x08000000, 16));
    assert.deepEqual(e.flags, ['WRPERR']);
    assert.equal(e.address, 0x08000000);
    assert.match(e.message, /erase of sector 0 of bank 1 \(0x08000000\) failed: FLASH_SR1\.WRPERR \(WRPERR: the sector is write-protected/);
    assert.match(e.message, /write-protected in bank 1: sector 0 \(FLASH_WPSN_CUR1R 0x000000fe\)/);
    // Sector 1 is not protected.
    await flash.erase(0x08020000, 16);
    await flash.done();
  } finally {
    await session.close();
  }
});

test('an erase while the core is locked up on erased flash (not halted) completes', async () => {
  const { session, conn, flash } = await open();
  try {
    await flash.eraseMass();
    await flash.done();
    // From erased flash the reset vector fetch reads 0xFFFFFFFF: the core locks up.
    await conn.core.reset({ halt: false });
    for (let i = 0; i < 50 && !(await conn.core.status()).lockup; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok((await conn.core.status()).lockup, 'the core is locked up');
    await flash.erase(0x08020000, 0x20000);
    await flash.done();
    assert.equal(await conn.mem.read32(0x08020000), 0xffffffff);
  } finally {
    await session.close();
  }
});
