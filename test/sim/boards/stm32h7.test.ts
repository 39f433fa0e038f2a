// The simulated STM32H743/H750 (DevEBox): memory map as RM0433 gives it, the clock and
// voltage ready flags start-up code polls, USART1 both ways, the LED on PA1, the CRC
// unit, and the demo firmware run on the board.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createBoard } from '../../../src/sim/boards/index.js';
import { Stm32h7Board, STM32H7_ADDR } from '../../../src/sim/boards/stm32h7.js';
import { BusFault } from '../../../src/sim/bus.js';
import { Machine } from '../../../src/sim/machine.js';
import { parseElf } from '../../../src/image/elf.js';

const firmware = (board: string, name: string) => fileURLToPath(new URL(`../../../../firmware/build/${board}/${name}`, import.meta.url));

function board(name = 'stm32h743'): Stm32h7Board {
  const b = createBoard(name);
  assert.ok(b instanceof Stm32h7Board);
  return b;
}

/** Advance simulated time with the core asleep-free: fire the clock's events up to `cycles` from now. */
function advance(b: Stm32h7Board, cycles: number): void {
  b.clock.now += cycles;
  b.clock.fireDue();
}

test('core: Cortex-M7 r1p1, 150 interrupt lines, 4 priority bits, VTOR at the flash', () => {
  const b = board();
  b.reset();
  assert.equal(b.bus.read32(0xe000ed00), 0x411fc271);
  assert.equal(b.bus.read32(0xe000e004), 4, 'ICTR: (150 lines + 31) / 32 - 1 = 4');
  b.bus.write8(0xe000e400, 0xff);
  assert.equal(b.bus.read8(0xe000e400), 0xf0, 'four implemented priority bits');
  assert.equal(b.bus.read32(0xe000ed08), 0x08000000, 'the core boots from BOOT_ADD0 = 0x0800');
  assert.equal(b.cpu.config.fpu, 'fpv5-dp');
  assert.equal(b.clock.hz, 64_000_000, 'HSI 64 MHz after reset');
});

test('memory map: RAMs where RM0433 puts them, flash erased, system memory read-only, holes fault', () => {
  for (const [name, flashSize] of [['stm32h743', 2 << 20], ['stm32h750', 128 << 10]] as const) {
    const b = board(name);
    const rams: [number, number][] = [
      [0x00000000, 64 << 10], [0x20000000, 128 << 10], [0x24000000, 512 << 10], [0x30000000, 128 << 10],
      [0x30020000, 128 << 10], [0x30040000, 32 << 10], [0x38000000, 64 << 10], [0x38800000, 4 << 10],
    ];
    for (const [base, size] of rams) {
      b.bus.write32(base, 0x11223344);
      b.bus.write32(base + size - 4, 0xa5a5a5a5);
      assert.equal(b.bus.read32(base), 0x11223344, `${name} RAM at 0x${base.toString(16)}`);
      assert.equal(b.bus.read32(base + size - 4), 0xa5a5a5a5);
      if (rams.some(([other]) => other === base + size)) continue; // SRAM1-2-3 are contiguous
      assert.throws(() => b.bus.read32(base + size), BusFault, `${name}: nothing right after 0x${base.toString(16)} + ${size}`);
    }
    const flashEntry = b.memoryMap.find((m) => m.base === 0x08000000);
    assert.deepEqual([flashEntry?.kind, flashEntry?.size, flashEntry?.blockSize], ['flash', flashSize, 128 << 10]);
    assert.equal(b.memoryMap.find((m) => m.base === 0x1ff00000)?.kind, 'rom');
    assert.equal(b.bus.read32(0x08000000), 0xffffffff, 'erased flash reads 0xFF');
    assert.equal(b.bus.read32(0x08000000 + flashSize - 4), 0xffffffff);
    assert.throws(() => b.bus.read32(0x08000000 + flashSize), BusFault);
    assert.equal(b.bus.read16(STM32H7_ADDR.FLASH_SIZE_REG), flashSize >> 10, 'FLASH_SIZE in KiB');
    const before = b.bus.read32(0x1ff00000);
    b.bus.write32(0x1ff00000, 0);
    assert.equal(b.bus.read32(0x1ff00000), before, 'system memory is ROM');
    assert.equal(b.bus.read32(0x5c001000), 0x20036450, 'DBGMCU IDCODE: rev V, device 0x450');
    for (const hole of [0x00010000, 0x10000000, 0x60000000, 0x5c002000, 0x70000000]) assert.throws(() => b.bus.read32(hole), BusFault, `hole at 0x${hole.toString(16)}`);
    assert.equal(b.bus.read32(0x40000000), 0, 'unmodelled peripheral windows read zero (TIM2)');
  }
});

test('RCC and PWR: ready flags follow their enables after a delay; SWS follows SW; the core clock follows PLL1', () => {
  const b = board();
  b.reset();
  const RCC = STM32H7_ADDR.RCC, PWR = STM32H7_ADDR.PWR;
  assert.equal(b.bus.read32(RCC) & 0x25, 0x25, 'HSION, HSIRDY, HSIDIVF after reset');
  // Supply and voltage scale.
  assert.equal(b.bus.read32(PWR + 0x04) & (1 << 13), 0, 'ACTVOSRDY low until the supply is configured');
  b.bus.write32(PWR + 0x0c, 0x2);
  advance(b, 1000);
  assert.ok(b.bus.read32(PWR + 0x04) & (1 << 13), 'ACTVOSRDY');
  b.bus.write32(PWR + 0x18, 3 << 14);
  assert.equal(b.bus.read32(PWR + 0x18) & (1 << 13), 0, 'VOSRDY drops while the scale changes');
  advance(b, 1000);
  assert.equal(b.bus.read32(PWR + 0x18), (3 << 14) | (1 << 13));
  assert.equal((b.bus.read32(PWR + 0x04) >>> 14) & 3, 3, 'ACTVOS follows');
  // HSE.
  b.bus.write32(RCC, b.bus.read32(RCC) | (1 << 16));
  assert.equal(b.bus.read32(RCC) & (1 << 17), 0, 'HSERDY not yet');
  advance(b, 5000);
  assert.ok(b.bus.read32(RCC) & (1 << 17), 'HSERDY');
  // PLL1 from HSE: 25 MHz / 5 * 160 / 2 = 400 MHz.
  b.bus.write32(RCC + 0x28, (5 << 4) | 2);
  b.bus.write32(RCC + 0x30, 159 | (1 << 9));
  b.bus.write32(RCC, b.bus.read32(RCC) | (1 << 24));
  assert.equal(b.bus.read32(RCC) & (1 << 25), 0);
  advance(b, 1000);
  assert.ok(b.bus.read32(RCC) & (1 << 25), 'PLL1RDY');
  b.bus.write32(RCC + 0x10, 3);
  advance(b, 10);
  assert.equal((b.bus.read32(RCC + 0x10) >>> 3) & 7, 3, 'SWS = PLL1');
  assert.equal(b.clock.hz, 400_000_000);
  // PLL1 cannot be switched off while it is the system clock.
  b.bus.write32(RCC, b.bus.read32(RCC) & ~(1 << 24));
  assert.ok(b.bus.read32(RCC) & (1 << 24));
  b.reset();
  assert.equal(b.clock.hz, 64_000_000, 'a system reset goes back to HSI');
  assert.equal((b.bus.read32(RCC + 0x10) >>> 3) & 7, 0);
});

/** Set a peripheral clock enable bit in RCC. */
function enableClock(b: Stm32h7Board, regOffset: number, bit: number): void {
  b.bus.write32(STM32H7_ADDR.RCC + regOffset, b.bus.read32(STM32H7_ADDR.RCC + regOffset) | (1 << bit));
}

test('peripheral clocks: with its RCC enable bit clear a block reads zero and ignores writes', () => {
  const b = board();
  b.reset();
  const A = STM32H7_ADDR.GPIOA;
  assert.equal(b.bus.read32(A), 0, 'GPIOA unclocked');
  b.bus.write32(A + 0x18, 2);
  enableClock(b, 0xe0, 0);
  assert.equal(b.bus.read32(A), 0xabffffff);
  assert.equal(b.bus.read32(A + 0x14), 0, 'the write before the enable was lost');
  let out = '';
  b.uarts[0].output = (c) => (out += String.fromCharCode(c));
  b.bus.write32(STM32H7_ADDR.USART1, 0b1001);
  b.bus.write32(STM32H7_ADDR.USART1 + 0x28, 0x41);
  assert.equal(out, '', 'USART1 without RCC_APB2ENR.USART1EN');
});

test('USART1: TDR goes to the host, host bytes arrive in RDR with RXNE, interrupt on RXNEIE', () => {
  const b = board();
  b.reset();
  enableClock(b, 0xf0, 4);
  enableClock(b, 0xe8, 18);
  const U = STM32H7_ADDR.USART1;
  let out = '';
  b.uarts[0].output = (c) => (out += String.fromCharCode(c));
  b.bus.write32(U + 0x28, 0x41);
  assert.equal(out, '', 'nothing leaves while UE/TE are clear');
  b.bus.write32(U + 0x00, 0b1101); // UE RE TE
  assert.equal(b.bus.read32(U + 0x1c) & 0x006000c0, 0x006000c0, 'TXE TC TEACK REACK');
  for (const c of 'hi') b.bus.write32(U + 0x28, c.charCodeAt(0));
  assert.equal(out, 'hi');
  b.uarts[0].input([0x7a]);
  assert.equal(b.bus.read32(U + 0x1c) & 0x20, 0, 'a byte takes a character time');
  advance(b, 1000);
  assert.equal(b.bus.read32(U + 0x1c) & 0x20, 0x20, 'RXNE');
  b.bus.write32(U + 0x00, 0b101101); // + RXNEIE
  assert.equal(b.cpu.nvic.pending[16 + 37], 1, 'USART1 is interrupt 37');
  assert.equal(b.bus.read32(U + 0x24), 0x7a);
  assert.equal(b.bus.read32(U + 0x1c) & 0x20, 0, 'reading RDR clears RXNE');
  // USART3 at 0x40004800 is the second port.
  let out3 = '';
  b.uarts[1].output = (c) => (out3 += String.fromCharCode(c));
  b.bus.write32(STM32H7_ADDR.USART3, 0b1001);
  b.bus.write32(STM32H7_ADDR.USART3 + 0x28, 0x33);
  assert.equal(out3, '3');
});

test('GPIO: MODER/ODR/BSRR/IDR and the LED on PA1 (active low) seen by the host', () => {
  const b = board();
  b.reset();
  enableClock(b, 0xe0, 0);
  enableClock(b, 0xe0, 4);
  const A = STM32H7_ADDR.GPIOA;
  assert.equal(b.bus.read32(A), 0xabffffff, 'GPIOA MODER reset value (debug pins in AF)');
  const seen: boolean[] = [];
  b.onLed = (on) => seen.push(on);
  b.bus.write32(A + 0x18, 1 << 1); // PA1 high first: LED off
  b.bus.write32(A, (b.bus.read32(A) & ~(3 << 2)) | (1 << 2));
  assert.equal(b.ledOn, false);
  b.bus.write32(A + 0x18, 1 << 17); // reset PA1
  assert.equal(b.ledOn, true);
  assert.equal(b.bus.read32(A + 0x10) & 2, 0, 'IDR shows the pin low');
  b.bus.write32(A + 0x14, b.bus.read32(A + 0x14) ^ 2);
  assert.equal(b.ledOn, false);
  assert.deepEqual(seen, [false, true, false]);
  // An input pin reads what the board drives, else its pull.
  const E = A + 4 * 0x400;
  b.gpio[4].setInput(3, true);
  assert.equal(b.bus.read32(E + 0x10) & 8, 8);
  b.gpio[4].setInput(3, undefined);
  b.bus.write32(E + 0x0c, 1 << 6); // pull-up on PE3
  assert.equal(b.bus.read32(E + 0x10) & 8, 8);
});

test('CRC unit: the CRC-32 (Ethernet polynomial, reflected in and out) of "123456789" is 0xCBF43926', () => {
  const b = board();
  b.reset();
  enableClock(b, 0xe0, 19);
  const C = STM32H7_ADDR.CRC;
  b.bus.write32(C + 0x08, (1 << 5) | (1 << 7) | 1); // REV_IN by byte, REV_OUT, RESET
  for (const c of '123456789') b.bus.write8(C, c.charCodeAt(0));
  assert.equal((b.bus.read32(C) ^ 0xffffffff) >>> 0, 0xcbf43926);
  // Plain MSB-first CRC-32/MPEG-2 of the same string: 0x0376E6E7.
  b.bus.write32(C + 0x08, 1);
  for (const c of '123456789') b.bus.write8(C, c.charCodeAt(0));
  assert.equal(b.bus.read32(C), 0x0376e6e7);
});

test('RNG: DRDY once enabled, numbers change', () => {
  const b = board();
  b.reset();
  enableClock(b, 0xdc, 6);
  const R = STM32H7_ADDR.RNG;
  assert.equal(b.bus.read32(R + 4) & 1, 0);
  b.bus.write32(R, 4);
  assert.equal(b.bus.read32(R + 4) & 1, 1);
  const a = b.bus.read32(R + 8), c = b.bus.read32(R + 8);
  assert.notEqual(a, c);
});

for (const name of ['stm32h743', 'stm32h750']) {
  test(`demo.elf on ${name}: clock set-up to 400 MHz, greeting and counter on USART1, LED blinking, echo`, async () => {
    const b = board(name);
    b.mapPpbDefaults(); // the PPB as `tsprobe sim` has it (the demo reads the ITM's TCR: 0, trace off)
    let out = '';
    b.uarts[0].output = (c) => (out += String.fromCharCode(c));
    const elf = firmware(name, 'demo.elf');
    b.load(parseElf(new Uint8Array(readFileSync(elf)), elf));
    b.reset();
    const led: boolean[] = [];
    b.onLed = (on) => led.push(on);
    b.uarts[0].input([0x21]);
    const stop = await new Machine(b, { maxCycles: 140_000_000 }).run(); // 350 ms at 400 MHz
    assert.equal(stop.kind, 'limit', JSON.stringify(stop));
    assert.equal(b.clock.hz, 400_000_000);
    assert.match(out, new RegExp(`^Hello from tsprobe's ${name} demo: DBGMCU IDCODE 0x20036450, CPUID 0x411fc271, core at 400 MHz\\r\\n`));
    assert.match(out, /echo: !\r\n/);
    assert.match(out, /count 1 at 100 ms\r\ncount 2 at 200 ms\r\ncount 3 at 300 ms\r\n$/);
    assert.deepEqual(led, [false, true, false, true], 'PA1 becomes an output (LED off), then toggles every 100 ms');
    assert.equal(b.ledOn, true);
  });
}

/** The demo's double-precision work, done here with JS doubles (same IEEE 754 operations, same order). */
function expectedFpLine(count: number): string {
  let x = 1.0;
  for (let i = 0; i < 6; i++) x = 0.5 * (x + 2.0 / x);
  let pi = 3.0, sign = 1.0;
  for (let k = 1; k <= count * 10; k++) {
    const n = 2.0 * k;
    pi += (sign * 4.0) / (n * (n + 1.0) * (n + 2.0));
    sign = -sign;
  }
  const fixed9 = (v: number) => {
    const whole = Math.trunc(v);
    const frac = Math.trunc((v - whole) * 1e9 + 0.5);
    return `${whole}.${String(frac).padStart(9, '0')}`;
  };
  return `, sqrt(2) = ${fixed9(x)}, pi ~ ${fixed9(pi)}`;
}

test('demo-fpu.elf on stm32h743 (hard float, FPv5-D16): the double-precision results match IEEE 754 as computed on the host', async () => {
  const b = board('stm32h743');
  b.mapPpbDefaults(); // the PPB as `tsprobe sim` has it (the demo reads the ITM's TCR: 0, trace off)
  let out = '';
  b.uarts[0].output = (c) => (out += String.fromCharCode(c));
  const elf = firmware('stm32h743', 'demo-fpu.elf');
  b.load(parseElf(new Uint8Array(readFileSync(elf)), elf));
  b.reset();
  const stop = await new Machine(b, { maxCycles: 100_000_000 }).run(); // 250 ms at 400 MHz
  assert.equal(stop.kind, 'limit', JSON.stringify(stop));
  assert.equal(b.bus.read32(0xe000ed88) & (0xf << 20), 0xf << 20, 'CP10/CP11 enabled by the start-up code');
  assert.match(out, /^Hello from tsprobe's stm32h743 demo/);
  assert.ok(out.includes(`count 1 at 100 ms${expectedFpLine(1)}\r\n`), out);
  assert.ok(out.includes(`count 2 at 200 ms${expectedFpLine(2)}\r\n`), out);
  assert.match(out, /sqrt\(2\) = 1\.414213562/);
});
