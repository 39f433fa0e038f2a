// The STM32H743 and STM32H750 on DevEBox boards ("STM32H7XX_M"): a Cortex-M7 r1p1 with
// FPv5 double precision, 4 NVIC priority bits and 150 interrupt lines, at 64 MHz from
// HSI after reset, and the memory map of RM0433 ("Memory map and register boundary
// addresses"):
//   ITCM 64 KiB 0x00000000, flash 0x08000000 (H743: 2 banks of 1 MiB in 128 KiB sectors,
//   bank 2 at 0x08100000; H750: one 128 KiB sector), system memory 0x1FF00000 (ROM),
//   DTCM 128 KiB 0x20000000, AXI SRAM 512 KiB 0x24000000, SRAM1/2/3 0x30000000/
//   0x30020000/0x30040000 (128/128/32 KiB), SRAM4 64 KiB 0x38000000, backup SRAM 4 KiB
//   0x38800000; peripherals: USART3 0x40004800, USART1 0x40011000, RNG 0x48021800, FLASH
//   0x52002000, GPIOA-K 0x58020000 + 0x400 * n, RCC 0x58024400, PWR 0x58024800, CRC
//   0x58024C00, DBGMCU 0x5C001000. Other peripheral windows read as zero (their blocks
//   are not modelled), and unmapped space bus-faults.
// The flash is a read-only memory region: fetches and loads are plain reads; writes
// from the core or a debugger reach the flash controller (periph/stm32/flash.ts), which
// programs it through its write buffer. Flash and option bytes survive a system reset.
// The debug port is ST's: SW-DP v2 with DPIDR 0x6BA02477, AP0 the AHB-AP to the core's
// system view, AP1 an AHB-AP reaching the D3 domain (SRAM4, backup SRAM, D3 peripherals),
// AP2 the APB-AP of the debug APB (APB-D) with its ROM table at 0xE00E0000, DBGMCU at
// 0xE00E1000, the SWO at 0xE00E3000, the trace funnel (SWTF) at 0xE00E4000 and the TPIU at
// 0xE00F5000, which OpenOCD's target/stm32h7x.cfg uses. The core sees DBGMCU, the SWO unit
// and SWTF at 0x5C001000, 0x5C003000 and 0x5C004000 (the same registers).
// SWO (RM0433 "Trace and debug"): the Cortex-M7's ITM output goes through SWTF input port
// 0 to the SWO unit (a TPIU-like block, CODR/SPPR/FFCR where a TPIU has ACPR/SPPR/FFCR),
// which drives the SWO pin; the core's own TPIU window at 0xE0040000 keeps what is written
// there but nothing from it reaches the pin. ITM packets get through only while SWTF
// CTRL.ENS0 and DBGMCU_CR.TRACECLKEN are both set; otherwise the funnel drops them and
// FIFOREADY still reads 1 (the simulation's choice: firmware spinning on it must not hang;
// silicon without a trace clock may stall instead). TRACECLKIN is taken to be the core
// clock (`clock.hz`), also the simulation's choice. Not modelled: the funnel's priority
// arbitration and its other input ports (ENS1 is stored only), the CoreSight software
// lock (LAR/LSR) on the core's view, the APB-D TPIU's parallel trace port (registers only).
// DevEBox board facts: 25 MHz HSE crystal, the user LED on PA1 (lit when PA1 is low),
// USART1 (PA9/PA10) as the console.
import { Bus } from '../bus.js';
import type { CoreConfig } from '../cpu/cpu.js';
import { mapScs, SCS_BASE, SCS_SIZE } from '../scs/scs.js';
import type { IrqLine } from '../periph/irq-line.js';
import { Stm32h7Flash, FLASH_SECTOR } from '../periph/stm32/flash.js';
import { Stm32h7Rcc, RCC_REG } from '../periph/stm32/rcc.js';
import { Stm32h7Pwr } from '../periph/stm32/pwr.js';
import { Stm32Gpio } from '../periph/stm32/gpio.js';
import { Stm32Usart } from '../periph/stm32/usart.js';
import { Stm32Dbgmcu } from '../periph/stm32/dbgmcu.js';
import { Stm32Rng, Stm32Crc } from '../periph/stm32/rng-crc.js';
import { PageSplitter, clockGated, laneMerge, laneRead } from '../periph/stm32/regfile.js';
import { MemAp } from '../debug/mem-ap.js';
import { TpiuUnit } from '../debug/tpiu.js';
import { RomTable } from '../debug/rom-table.js';
import { readIdRegister, type ComponentIdentity } from '../debug/component-id.js';
import type { DebugSystemOptions } from '../debug/debug-system.js';
import { CS_CLASS, armPid } from '../../arch/coresight.js';
import type { ElfImage } from '../../image/elf.js';
import type { AccessSize, Device } from '../bus.js';
import { BoardError, type Board, type BoardOptions } from './board.js';
import { BoardBase } from './board-base.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export const STM32H7_HSI_HZ = 64_000_000;
export const DEVEBOX_HSE_HZ = 25_000_000;
export const STM32H7_DPIDR = 0x6ba02477;
/** TARGETID: TPARTNO 0x450, designer ST (JEP106 0x20, bank 0). */
export const STM32H7_TARGETID = 0x00450041;

export const STM32H7_CORE: CoreConfig = { name: 'cortex-m7', cpuid: 0x411fc271, dsp: true, fpu: 'fpv5-dp', irqs: 150, priorityBits: 4 };

/** Interrupt lines (RM0433 vector table). */
export const STM32H7_IRQ = { FLASH: 4, RCC: 5, USART1: 37, USART3: 39, RNG: 80 } as const;

export const STM32H7_ADDR = {
  ITCM: 0x00000000, FLASH: 0x08000000, FLASH_BANK2: 0x08100000, SYSMEM: 0x1ff00000, DTCM: 0x20000000,
  AXISRAM: 0x24000000, SRAM1: 0x30000000, SRAM2: 0x30020000, SRAM3: 0x30040000, SRAM4: 0x38000000,
  BKPSRAM: 0x38800000, USART3: 0x40004800, USART1: 0x40011000, RNG: 0x48021800, FLASH_IF: 0x52002000,
  GPIOA: 0x58020000, RCC: 0x58024400, PWR: 0x58024800, CRC: 0x58024c00, DBGMCU: 0x5c001000,
  /** The SWO unit and the SWO trace funnel as the core sees them (0xE00E3000/0xE00E4000 on APB-D). */
  SWO: 0x5c003000, SWTF: 0x5c004000,
  /** FLASH_SIZE (KiB, 16 bits) and the 96-bit unique ID in system memory. */
  FLASH_SIZE_REG: 0x1ff1e880, UID: 0x1ff1e800,
} as const;

interface Variant {
  name: string;
  description: string;
  flashSize: number;
  banks: number;
}

const VARIANTS: Record<string, Variant> = {
  stm32h743: {
    name: 'stm32h743',
    description: 'DevEBox STM32H743VIT6 (Cortex-M7 r1p1, 2 MiB flash in two banks, 1 MiB RAM)',
    flashSize: 2 * MiB,
    banks: 2,
  },
  stm32h750: {
    name: 'stm32h750',
    description: 'DevEBox STM32H750VBT6 (Cortex-M7 r1p1, 128 KiB flash, 1 MiB RAM)',
    flashSize: 128 * KiB,
    banks: 1,
  },
};

export const STM32H7_BOARDS: { name: string; description: string }[] = Object.values(VARIANTS).map(({ name, description }) => ({ name, description }));

/** A CoreSight component we only identify and keep registers for (the TPIU on APB-D). */
class IdentifiedBlock implements Device {
  private readonly regs = new Map<number, number>();
  constructor(private readonly identity: ComponentIdentity) {}
  read(offset: number, size: AccessSize): number {
    const w = offset & ~3;
    const v = readIdRegister(this.identity, w) ?? this.regs.get(w) ?? 0;
    return size === 4 ? v >>> 0 : (v >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }
  write(offset: number, size: AccessSize, value: number): void {
    if (size === 4 && offset < 0xf00) this.regs.set(offset, value >>> 0);
  }
}

/** DBGMCU_CR.TRACECLKEN: the trace clock (TRACECLKIN) to the trace blocks. */
export const DBGMCU_CR_TRACECLKEN = 1 << 20;

/**
 * The SWO trace funnel (SWTF, a CoreSight trace funnel, part 0x908): CTRL at 0x000 (ENSn,
 * bit n, enables input port n: 0 the Cortex-M7's ITM/ETM trace; hold time in [11:8], 0x3
 * after reset), PRIORITY at 0x004, other registers below the ID block plain storage.
 */
export class TraceFunnel implements Device {
  ctrl = 0x300;
  private readonly regs = new Map<number, number>();
  readonly identity: ComponentIdentity = { cls: CS_CLASS.CORESIGHT, pid: armPid(0x908, 0), devtype: 0x12 };

  reset(): void {
    this.ctrl = 0x300;
    this.regs.clear();
  }

  /** CTRL.ENSn. */
  portEnabled(n: number): boolean {
    return ((this.ctrl >>> n) & 1) !== 0;
  }

  read(offset: number, size: AccessSize): number {
    const w = offset & ~3;
    const v = w === 0 ? this.ctrl : (readIdRegister(this.identity, w) ?? this.regs.get(w) ?? 0);
    return laneRead(v, offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const w = offset & ~3;
    if (w === 0) this.ctrl = laneMerge(this.ctrl, offset, size, value) & 0xfff;
    else if (w < 0xfcc) this.regs.set(w, laneMerge(this.regs.get(w) ?? 0, offset, size, value));
  }
}

/** Peripheral ID of an ST component: JEP106 0x20 (bank 0). */
function stPid(part: number): number {
  const jep = 0x20;
  return ((part & 0xfff) | ((jep & 0xf) << 12) | (1 << 19) | ((jep >> 4) << 16)) >>> 0;
}

/** A device that adds DBGMCU's component ID registers to its register block (APB-D view). */
function withIdentity(dev: Device, identity: ComponentIdentity): Device {
  return {
    read: (offset, size) => {
      const id = offset >= 0xfcc ? readIdRegister(identity, offset & ~3) : undefined;
      return id !== undefined ? id : dev.read(offset, size);
    },
    write: (offset, size, value) => dev.write(offset, size, value),
  };
}

export class Stm32h7Board extends BoardBase {
  readonly usart1: Stm32Usart;
  readonly usart3: Stm32Usart;
  readonly uarts: Stm32Usart[];
  readonly flash: Stm32h7Flash;
  readonly rcc: Stm32h7Rcc;
  readonly pwr: Stm32h7Pwr;
  readonly gpio: Stm32Gpio[] = [];
  readonly dbgmcu: Stm32Dbgmcu;
  /** The SWO unit (CoreSight SWO, part 0x914): its CODR/SPPR/FFCR set the SWO pin. */
  readonly swoUnit = new TpiuUnit(0x914);
  /** The SWO trace funnel: port 0 (ENS0) carries the core's ITM packets to the SWO unit. */
  readonly swtf = new TraceFunnel();
  readonly rng: Stm32Rng;
  readonly crc: Stm32Crc;
  /** The BOOT0 pin: low boots from BOOT_ADD0 (flash), high from BOOT_ADD1 (system memory). */
  boot0 = false;
  readonly debugOptions: Partial<DebugSystemOptions>;
  /** The debug APB (APB-D) behind AP2. */
  readonly apbD = new Bus();
  /** The D3 domain as AP1 sees it. */
  readonly d3Bus = new Bus();
  /** Called when the user LED (PA1, active low) changes. */
  onLed: ((on: boolean) => void) | null = null;
  /** LED changes since power-on, for tests and the CLI. */
  ledToggles = 0;

  constructor(readonly variant: Variant, opts: BoardOptions) {
    super({
      name: variant.name, description: variant.description, core: STM32H7_CORE, clockHz: STM32H7_HSI_HZ,
      heapRam: { base: STM32H7_ADDR.AXISRAM, size: 512 * KiB },
    }, opts);
    const bus = this.bus;
    const clock = this.clock;
    // Memories and peripherals marked d3 are also reached through AP1 (the D3 domain).
    const ram = (name: string, base: number, size: number, d3 = false) => {
      const r = this.mapRam(name, base, size);
      if (d3) this.d3Bus.mapMemory(name, base, size, { bytes: r.bytes });
      return r;
    };
    const unimplemented = (name: string, base: number, size: number) => this.mapUnimplemented(name, base, size);
    const device = (name: string, base: number, dev: Device, size = 4 * KiB, d3 = false) => {
      this.mapPeripheral(name, base, dev, size);
      if (d3) this.d3Bus.mapDevice(name, base, size, dev);
    };

    this.cpu.systick.refDivider = 8; // SysTick's external reference is HCLK/8 on STM32
    const irq = (line: number): IrqLine => (level) => this.cpu.nvic.irq(line, level);

    // Memories.
    ram('ITCM', STM32H7_ADDR.ITCM, 64 * KiB);
    const flashRegion = bus.mapMemory('flash', STM32H7_ADDR.FLASH, variant.flashSize, {
      readonly: true,
      writeHandler: (off, size, value) => this.flash.arrayWrite(off, size, value),
    });
    this.memoryMap.push({ name: variant.banks === 2 ? 'flash (banks 1 and 2)' : 'flash', base: STM32H7_ADDR.FLASH, size: variant.flashSize, kind: 'flash', blockSize: FLASH_SECTOR });
    const sysmem = bus.mapMemory('system memory', STM32H7_ADDR.SYSMEM, 128 * KiB, { readonly: true });
    this.mapEntry('system memory', STM32H7_ADDR.SYSMEM, 128 * KiB, 'rom');
    this.writeSystemMemory(sysmem.bytes!, variant.flashSize);
    ram('DTCM', STM32H7_ADDR.DTCM, 128 * KiB);
    ram('AXI SRAM', STM32H7_ADDR.AXISRAM, 512 * KiB);
    ram('SRAM1', STM32H7_ADDR.SRAM1, 128 * KiB);
    ram('SRAM2', STM32H7_ADDR.SRAM2, 128 * KiB);
    ram('SRAM3', STM32H7_ADDR.SRAM3, 32 * KiB);
    ram('SRAM4', STM32H7_ADDR.SRAM4, 64 * KiB, true);
    ram('backup SRAM', STM32H7_ADDR.BKPSRAM, 4 * KiB, true);

    // Peripherals.
    this.usart1 = new Stm32Usart('USART1', clock, irq(STM32H7_IRQ.USART1));
    this.usart3 = new Stm32Usart('USART3', clock, irq(STM32H7_IRQ.USART3));
    this.uarts = [this.usart1, this.usart3];
    this.flash = new Stm32h7Flash('FLASH', clock, flashRegion, variant.banks === 2 ? variant.flashSize / 2 : variant.flashSize, variant.banks, irq(STM32H7_IRQ.FLASH), {
      // A locked-up core executes nothing and the run loop stops with it: a debugger polling SR must still see the operation end.
      timeFrozen: () => this.cpu.halted || this.cpu.lockedUp,
    });
    this.cpu.scb.resetVtor = ((this.flash.bootCur & 0xffff) << 16) >>> 0; // BOOT_ADD0; see reset()
    this.rcc = new Stm32h7Rcc(clock, DEVEBOX_HSE_HZ);
    this.rcc.onCoreClock = (hz) => (this.clock.hz = hz);
    this.pwr = new Stm32h7Pwr(clock);
    this.dbgmcu = new Stm32Dbgmcu();
    this.rng = new Stm32Rng(irq(STM32H7_IRQ.RNG));
    this.crc = new Stm32Crc();

    // Peripheral clocks: a block whose RCC enable bit is clear reads zero and ignores writes.
    const gate = (dev: Device, reg: number, bit: number) => clockGated(dev, () => this.rcc.clockEnabled(reg, bit));

    // D2 domain: APB1, APB2, AHB1, AHB2.
    unimplemented('APB1 peripherals', 0x40000000, 0x4000);
    device('USART2/USART3/UART4', 0x40004000, new PageSplitter().add(0x800, 0x400, gate(this.usart3, RCC_REG.APB1LENR, 18)));
    unimplemented('APB1 peripherals', 0x40005000, 0x9000);
    unimplemented('APB2 peripherals', 0x40010000, 0x1000);
    device('USART1/USART6', 0x40011000, new PageSplitter().add(0x000, 0x400, gate(this.usart1, RCC_REG.APB2ENR, 4)));
    unimplemented('APB2 peripherals', 0x40012000, 0x6000);
    unimplemented('AHB1 peripherals (DMA, ADC, Ethernet, USB)', 0x40020000, 0xa0000);
    unimplemented('AHB2 peripherals', 0x48020000, 0x1000);
    device('RNG', 0x48021000, new PageSplitter().add(0x800, 0x400, gate(this.rng, RCC_REG.AHB2ENR, 6)));
    unimplemented('AHB2 peripherals', 0x48022000, 0x1000);
    // D1 domain: APB3, AHB3.
    unimplemented('APB3 peripherals', 0x50000000, 0x4000);
    unimplemented('AXI interconnect (GPV)', 0x51000000, 0x100000);
    unimplemented('MDMA, DMA2D', 0x52000000, 0x2000);
    device('FLASH interface', STM32H7_ADDR.FLASH_IF, this.flash);
    unimplemented('AHB3 peripherals (JPEG, FMC, QUADSPI, SDMMC1)', 0x52003000, 0xd000);
    // D3 domain: APB4, AHB4.
    unimplemented('APB4 peripherals', 0x58000000, 0x7000);
    for (let p = 0; p < 11; p++) {
      const g = new Stm32Gpio(`GPIO${String.fromCharCode(65 + p)}`, p);
      this.gpio.push(g);
    }
    const gpioBlock = new PageSplitter();
    this.gpio.forEach((g, p) => gpioBlock.add(p * 0x400, 0x400, gate(g, RCC_REG.AHB4ENR, p)));
    device('GPIOA-K', STM32H7_ADDR.GPIOA, gpioBlock, 0x3000, true);
    unimplemented('AHB4 (reserved)', 0x58023000, 0x1000);
    device('RCC/PWR/CRC', 0x58024000, new PageSplitter().add(0x400, 0x400, this.rcc).add(0x800, 0x400, this.pwr).add(0xc00, 0x400, gate(this.crc, RCC_REG.AHB4ENR, 19)), 4 * KiB, true);
    unimplemented('AHB4 peripherals (BDMA, DMAMUX2, ADC3, HSEM)', 0x58025000, 0x3000);
    device('DBGMCU', 0x5c001000, this.dbgmcu);
    device('SWO', STM32H7_ADDR.SWO, this.swoUnit);
    device('SWTF', STM32H7_ADDR.SWTF, this.swtf);

    this.gpio[0].onChange = (pin, level) => {
      if (pin !== 1) return;
      this.ledToggles++;
      this.onLed?.(!level);
    };

    mapScs(bus, this.cpu);
    this.mapEntry('System Control Space', SCS_BASE, SCS_SIZE, 'system');

    // The debug APB (APB-D) behind AP2 and the D3 AHB-AP (AP1).
    const apbDRom = new RomTable(0xe00e0000, [
      { address: 0xe00e1000, present: true }, // DBGMCU
      { address: 0xe00e3000, present: true }, // SWO
      { address: 0xe00e4000, present: true }, // SWTF (trace funnel)
      { address: 0xe00f5000, present: true }, // TPIU
    ], 0x000);
    (apbDRom as { identity: ComponentIdentity }).identity = { cls: CS_CLASS.ROM_TABLE, pid: stPid(0x450), devtype: 0 };
    this.apbD.mapDevice('APB-D ROM table', 0xe00e0000, 0x1000, apbDRom);
    this.apbD.mapDevice('DBGMCU', 0xe00e1000, 0x1000, withIdentity(this.dbgmcu, { cls: CS_CLASS.CORESIGHT, pid: stPid(0x450) }));
    this.apbD.mapDevice('SWO', 0xe00e3000, 0x1000, this.swoUnit);
    this.apbD.mapDevice('SWTF', 0xe00e4000, 0x1000, this.swtf);
    this.apbD.mapDevice('TPIU', 0xe00f5000, 0x1000, new IdentifiedBlock({ cls: CS_CLASS.CORESIGHT, pid: armPid(0x912, 0), devtype: 0x11 }));
    const d3Ap = new MemAp(this.d3Bus, { idr: 0x84770001, base: 0x00000002, packed: true, cswReset: 0x03000040, autoIncrementBlock: 0x400 });
    const apbAp = new MemAp(this.apbD, { idr: 0x54770002, base: 0xe00e0003, packed: false, cswReset: 0x80000042, autoIncrementBlock: 0x400 });
    this.debugOptions = {
      dp: { dpidr: STM32H7_DPIDR, targetid: STM32H7_TARGETID, dlpidr: 0x00000001 },
      ap: { idr: 0x84770001 },
      extraAps: [{ index: 1, ap: d3Ap }, { index: 2, ap: apbAp }],
      // The SWO pin follows the SWO unit (TRACECLKIN = clock.hz, the simulation's choice),
      // fed through SWTF port 0 while the trace clock runs; the core TPIU is not on the path.
      swo: {
        port: this.swoUnit,
        enabled: () => this.swtf.portEnabled(0) && (this.dbgmcu.cr & DBGMCU_CR_TRACECLKEN) !== 0,
        reset: () => {
          this.swoUnit.reset();
          this.swtf.reset();
        },
      },
    };
  }

  /** The user LED (PA1, active low): lit while PA1 drives low. */
  get ledOn(): boolean {
    const a = this.gpio[0];
    return (a.outputMask & 2) !== 0 && (a.pins() & 2) === 0;
  }

  /** Flash sector size (128 KiB on both parts). */
  get flashSectorSize(): number {
    return FLASH_SECTOR;
  }

  private writeSystemMemory(bytes: Uint8Array, flashSize: number): void {
    // The ST bootloader itself is not reproduced: the area reads as erased flash, apart
    // from the device facts software reads there.
    bytes.fill(0xff);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const uid = STM32H7_ADDR.UID - STM32H7_ADDR.SYSMEM;
    view.setUint32(uid, 0x00390031, true); // X/Y wafer coordinates
    view.setUint32(uid + 4, 0x32385113, true); // wafer number, lot number
    view.setUint32(uid + 8, 0x33363330, true);
    view.setUint16(STM32H7_ADDR.FLASH_SIZE_REG - STM32H7_ADDR.SYSMEM, flashSize / KiB, true);
  }

  load(image: ElfImage): void {
    const chunks = this.loadableChunks(image, "link it for this chip's flash (0x08000000) and RAM");
    // Written as a factory programmer would: straight into flash and RAM. Flash keeps it
    // across resets because flash is non-volatile; nothing is restored at reset.
    for (const c of chunks) this.bus.load(c.addr, c.data);
  }

  reset(): void {
    for (const u of this.uarts) u.reset();
    for (const g of this.gpio) g.reset();
    this.flash.reset();
    // The core's INITVTOR comes from the option bytes: BOOT_ADD0 (0x0800 -> 0x08000000) or
    // BOOT_ADD1 (0x1FF0) as the BOOT0 pin selects.
    const boot = this.flash.bootCur;
    this.cpu.scb.resetVtor = ((this.boot0 ? boot >>> 16 : boot & 0xffff) << 16) >>> 0;
    this.rcc.reset();
    this.pwr.reset();
    this.rng.reset();
    this.crc.reset();
    this.clock.hz = STM32H7_HSI_HZ;
    this.semihosting.reset();
    this.cpu.reset();
  }
}

export function createStm32h7Board(name: string, opts: BoardOptions): Board {
  const v = VARIANTS[name];
  if (!v) throw new BoardError(`unknown STM32H7 board '${name}'`);
  return new Stm32h7Board(v, opts);
}
