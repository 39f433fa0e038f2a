// The ARM MPS2 FPGA boards as QEMU 7.2 models them: mps2-an385 (Cortex-M3),
// mps2-an386 (Cortex-M4) and mps2-an500 (Cortex-M7).
//
// The memory map is QEMU's, read from `info mtree -f` of qemu-system-arm 7.2:
// RAM with its mirrors (one buffer mapped twice), CMSDK timers, dual timer,
// watchdog and UARTs, the FPGA IO and SCC blocks, bit-band aliases, and the
// regions QEMU maps as "unimplemented" (reads 0, writes ignored), so that
// firmware sees a bus fault exactly where it does on QEMU. SPI and I2C ports
// have nothing attached, as on QEMU. QEMU models the LAN9118 ethernet; here it
// answers only its ID registers. mapPpbDefaults() fills the rest of the PPB. Core facts were
// measured on QEMU 7.2 too: CPUID M3 0x410FC231, M4 0x410FC240, M7 0x411FC272;
// 32 external interrupts; NVIC priority registers keep all 8 bits (QEMU 7.2 has no
// num-prio-bits; real AN385 silicon keeps 3); system clock 25 MHz.
import type { Device } from '../bus.js';
import type { CoreConfig } from '../cpu/cpu.js';
import { CmsdkApbUart } from '../periph/cmsdk-apb-uart.js';
import { CmsdkApbTimer } from '../periph/cmsdk-apb-timer.js';
import { CmsdkApbDualTimer } from '../periph/cmsdk-apb-dualtimer.js';
import { CmsdkApbWatchdog } from '../periph/cmsdk-apb-watchdog.js';
import { Mps2FpgaIo } from '../periph/mps2-fpgaio.js';
import { Pl022Spi } from '../periph/pl022-spi.js';
import { SbconI2c } from '../periph/sbcon-i2c.js';
import { Mps2Scc } from '../periph/mps2-scc.js';
import { orGate, type IrqLine } from '../periph/irq-line.js';
import { mapBitBand, BITBAND_ALIAS_SIZE } from '../bitband.js';
import { mapScs, SCS_BASE, SCS_SIZE } from '../scs/scs.js';
import type { ElfImage } from '../../image/elf.js';
import { BoardError, type Board, type BoardOptions } from './board.js';
import { BoardBase } from './board-base.js';

export const MPS2_SYSCLK_HZ = 25_000_000;

const KiB = 1024;
const MiB = 1024 * KiB;

interface Mps2Variant {
  name: string;
  description: string;
  core: CoreConfig;
  sccId: number;
  /** AN500 moves the 16 MiB RAM and the ethernet controller, and has no block RAM. */
  an500: boolean;
}

const VARIANTS: Record<string, Mps2Variant> = {
  'mps2-an385': {
    name: 'mps2-an385',
    description: 'ARM MPS2 with AN385 FPGA image (Cortex-M3)',
    core: { name: 'cortex-m3', cpuid: 0x410fc231, dsp: false, irqs: 32, priorityBits: 8 },
    sccId: 0x41043850,
    an500: false,
  },
  'mps2-an386': {
    name: 'mps2-an386',
    description: 'ARM MPS2 with AN386 FPGA image (Cortex-M4 with FPv4-SP)',
    core: { name: 'cortex-m4', cpuid: 0x410fc240, dsp: true, fpu: 'fpv4-sp', irqs: 32, priorityBits: 8 },
    sccId: 0x41043860,
    an500: false,
  },
  'mps2-an500': {
    name: 'mps2-an500',
    description: 'ARM MPS2 with AN500 FPGA image (Cortex-M7 with FPv5, double precision, as QEMU 7.2 models it)',
    core: { name: 'cortex-m7', cpuid: 0x411fc272, dsp: true, fpu: 'fpv5-dp', irqs: 32, priorityBits: 8 },
    sccId: 0x41045000,
    an500: true,
  },
};

export const MPS2_BOARDS: { name: string; description: string }[] = Object.values(VARIANTS).map(({ name, description }) => ({ name, description }));

// Interrupt lines (QEMU hw/arm/mps2.c wiring).
const UART_RX_IRQ = [0, 2, 4, 18, 20]; // TX is RX + 1
const UART_OVERFLOW_IRQ = 12; // UARTs 0-2 overflow, ORed
const TIMER0_IRQ = 8, TIMER1_IRQ = 9, DUALTIMER_IRQ = 10;
const UART_BASES = [0x40004000, 0x40005000, 0x40006000, 0x40007000, 0x40009000];

class Mps2Board extends BoardBase {
  readonly uarts: CmsdkApbUart[] = [];
  readonly timers: CmsdkApbTimer[] = [];
  readonly dualTimer: CmsdkApbDualTimer;
  readonly watchdog: CmsdkApbWatchdog;
  readonly spis: Pl022Spi[] = [];
  readonly i2cs: SbconI2c[] = [];
  readonly fpgaio: Mps2FpgaIo;
  readonly scc: Mps2Scc;

  private loaded: { addr: number; data: Uint8Array }[] = [];
  private readonly heapRam: { base: number; size: number };

  constructor(v: Mps2Variant, opts: BoardOptions) {
    const heapRam = { base: v.an500 ? 0x60000000 : 0x21000000, size: 16 * MiB };
    super({ name: v.name, description: v.description, core: v.core, clockHz: MPS2_SYSCLK_HZ, heapRam }, opts);
    this.heapRam = heapRam;
    const bus = this.bus;
    const clock = this.clock;
    const ram = (name: string, base: number, size: number, mirrors: number[] = []) => {
      const r = this.mapRam(name, base, size);
      for (const m of mirrors) {
        bus.mapMemory(`${name} (mirror)`, m, size, { bytes: r.bytes });
        this.mapEntry(`${name} (mirror)`, m, size, 'mirror');
      }
    };
    const unimplemented = this.mapUnimplemented.bind(this);
    const device = (name: string, base: number, dev: Device) => this.mapPeripheral(name, base, dev);
    const irq = (line: number): IrqLine => (level) => this.cpu.nvic.irq(line, level);

    // Memories (zero at power-on, as QEMU's).
    ram('ZBT SSRAM1', 0x00000000, 4 * MiB, [0x00400000]);
    unimplemented('RESERVED 1', 0x00800000, 8 * MiB);
    if (v.an500) unimplemented('Block RAM', 0x01000000, 64 * KiB);
    else ram('block RAM', 0x01000000, 16 * KiB, [0x01004000, 0x01008000, 0x0100c000]);
    unimplemented('RESERVED 2', 0x01010000, 0x1eff0000);
    ram('ZBT SSRAM2/3', 0x20000000, 4 * MiB, [0x20400000]);
    unimplemented('RESERVED 3', 0x20800000, 8 * MiB);
    if (v.an500) unimplemented('PSRAM', 0x21000000, 16 * MiB);
    ram('PSRAM', heapRam.base, 16 * MiB);
    mapBitBand(bus, 0x22000000, 0x20000000);
    this.mapEntry('bit-band alias of 0x20000000', 0x22000000, BITBAND_ALIAS_SIZE, 'bitband');

    // CMSDK APB peripherals at 0x40000000.
    const overflow = orGate(irq(UART_OVERFLOW_IRQ), 6);
    for (let i = 0; i < 5; i++) {
      const u = new CmsdkApbUart(`UART${i}`, clock, {
        rx: irq(UART_RX_IRQ[i]),
        tx: irq(UART_RX_IRQ[i] + 1),
        txOverrun: i < 3 ? overflow[2 * i] : undefined,
        rxOverrun: i < 3 ? overflow[2 * i + 1] : undefined,
      });
      this.uarts.push(u);
    }
    this.timers.push(new CmsdkApbTimer('TIMER0', clock, irq(TIMER0_IRQ)), new CmsdkApbTimer('TIMER1', clock, irq(TIMER1_IRQ)));
    this.dualTimer = new CmsdkApbDualTimer('DUALTIMER', clock, irq(DUALTIMER_IRQ));
    device('CMSDK timer 0', 0x40000000, this.timers[0]);
    device('CMSDK timer 1', 0x40001000, this.timers[1]);
    device('CMSDK dual timer', 0x40002000, this.dualTimer);
    unimplemented('CMSDK APB peripheral region', 0x40003000, 4 * KiB);
    for (let i = 0; i < 4; i++) device(`CMSDK UART${i}`, UART_BASES[i], this.uarts[i]);
    // The watchdog's interrupt is the NMI on MPS2; its reset output resets the system.
    let nmiLevel = false;
    this.watchdog = new CmsdkApbWatchdog('WATCHDOG', clock, (level) => {
      if (level && !nmiLevel) this.cpu.nvic.setPending(2);
      nmiLevel = level;
    });
    this.watchdog.onReset = () => {
      // Performed by the core before its next instruction, like SYSRESETREQ.
      this.cpu.resetRequest = 'system';
      this.cpu.attention = true;
    };
    device('CMSDK watchdog', 0x40008000, this.watchdog);
    device('CMSDK UART4', UART_BASES[4], this.uarts[4]);
    unimplemented('CMSDK APB peripheral region', 0x4000a000, 24 * KiB);
    for (let i = 0; i < 4; i++) unimplemented(`CMSDK AHB GPIO${i}`, 0x40010000 + i * 4 * KiB, 4 * KiB);
    unimplemented('CMSDK AHB peripheral region', 0x40014000, 48 * KiB);
    // Extra peripherals at 0x40020000: SPI (PL022, nothing attached) and I2C
    // (SBCon, nothing attached). SPI interrupts: APB and LCD ORed on 11, the ADC
    // on 22, the two shield ports ORed on 24.
    const spiOr11 = orGate(irq(11), 2);
    const spiOr24 = orGate(irq(24), 2);
    const spi = (name: string, base: number, line: IrqLine) => {
      const d = new Pl022Spi(name, line);
      this.spis.push(d);
      device(name, base, d);
    };
    const i2c = (name: string, base: number) => {
      const d = new SbconI2c(name);
      this.i2cs.push(d);
      device(name, base, d);
    };
    spi('PL022 SPI (APB)', 0x40020000, spiOr11[0]);
    spi('PL022 SPI (LCD)', 0x40021000, spiOr11[1]);
    i2c('SBCon I2C (touch)', 0x40022000);
    i2c('SBCon I2C (audio)', 0x40023000);
    unimplemented('I2S audio', 0x40024000, 4 * KiB);
    spi('PL022 SPI (ADC)', 0x40025000, irq(22));
    spi('PL022 SPI (shield 0)', 0x40026000, spiOr24[0]);
    spi('PL022 SPI (shield 1)', 0x40027000, spiOr24[1]);
    this.fpgaio = new Mps2FpgaIo('FPGAIO', clock);
    device('MPS2 FPGA IO', 0x40028000, this.fpgaio);
    i2c('SBCon I2C (shield 0)', 0x40029000);
    i2c('SBCon I2C (shield 1)', 0x4002a000);
    unimplemented('Extra peripheral region', 0x4002b000, 16 * KiB);
    this.scc = new Mps2Scc('SCC', v.sccId);
    device('MPS2 SCC', 0x4002f000, this.scc);
    unimplemented('RESERVED 4', 0x40030000, 0x1d0000);
    // The LAN9118 ethernet controller: 256 bytes; only its ID_REV and BYTE_TEST
    // registers answer with their fixed values, so drivers can detect it.
    const lanBase = v.an500 ? 0xa0000000 : 0x40200000;
    unimplemented('LAN9118 ethernet (not modelled)', lanBase, 4 * KiB, 0x100, { 0x50: 0x01180001, 0x64: 0x87654321 });
    unimplemented('VGA', 0x41000000, 2 * MiB);
    mapBitBand(bus, 0x42000000, 0x40000000);
    this.mapEntry('bit-band alias of 0x40000000', 0x42000000, BITBAND_ALIAS_SIZE, 'bitband');

    // The System Control Space (NVIC, SCB, SysTick) belongs to the core.
    mapScs(bus, this.cpu);
    this.mapEntry('System Control Space', SCS_BASE, SCS_SIZE, 'system');
  }

  load(image: ElfImage): void {
    const chunks = this.loadableChunks(image, "link it for this board's RAM (0x00000000 and 0x20000000, 4 MiB each)");
    this.loaded = chunks;
    let loadedEnd = 0;
    for (const c of chunks) {
      const end = c.addr + c.data.length;
      if (c.addr >= this.heapRam.base && end <= this.heapRam.base + this.heapRam.size) loadedEnd = Math.max(loadedEnd, end);
    }
    this.semihosting.setLoadedEnd(loadedEnd || undefined);
    for (const c of chunks) this.bus.load(c.addr, c.data);
  }

  reset(): void {
    for (const u of this.uarts) u.reset();
    for (const t of this.timers) t.reset();
    this.dualTimer.reset();
    this.watchdog.reset();
    for (const d of this.spis) d.reset();
    for (const d of this.i2cs) d.reset();
    this.fpgaio.reset();
    this.scc.reset();
    // QEMU restores the image's ROM blobs on every system reset.
    for (const c of this.loaded) this.bus.load(c.addr, c.data);
    this.cpu.reset();
  }
}

export function createMps2Board(name: string, opts: BoardOptions): Board {
  const v = VARIANTS[name];
  if (!v) throw new BoardError(`unknown MPS2 board '${name}'`);
  return new Mps2Board(v, opts);
}
