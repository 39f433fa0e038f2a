// STM32H7 reset and clock control (RM0433 "Reset and Clock Control (RCC)"), the parts
// start-up code drives: CR (HSI, CSI, HSI48, HSE and PLL1-3 enables with their ready
// flags), CFGR (SW/SWS), D1CFGR (D1CPRE, HPRE, D1PPRE), PLLCKSELR, PLLCFGR,
// PLLxDIVR/FRACR and the enable registers (kept as written). Ready flags follow their
// enable bits after a short simulated delay; SWS follows SW once the chosen source is
// ready. The resulting CPU clock is handed to `onCoreClock` (the board sets its Clock's
// rate from it, so SysTick and simulated seconds stay true).
import type { AccessSize, Device } from '../../bus.js';
import type { Clock } from '../../clock.js';
import { laneMerge, laneRead } from './regfile.js';

export const RCC_REG = {
  CR: 0x00, HSICFGR: 0x04, CRRCR: 0x08, CSICFGR: 0x0c, CFGR: 0x10, D1CFGR: 0x18, D2CFGR: 0x1c, D3CFGR: 0x20,
  PLLCKSELR: 0x28, PLLCFGR: 0x2c, PLL1DIVR: 0x30, PLL1FRACR: 0x34, PLL2DIVR: 0x38, PLL2FRACR: 0x3c,
  PLL3DIVR: 0x40, PLL3FRACR: 0x44, RSR: 0xd0, AHB3ENR: 0xd4, AHB1ENR: 0xd8, AHB2ENR: 0xdc, AHB4ENR: 0xe0,
  APB3ENR: 0xe4, APB1LENR: 0xe8, APB1HENR: 0xec, APB2ENR: 0xf0, APB4ENR: 0xf4,
} as const;

export const RCC_CR = {
  HSION: 1 << 0, HSIRDY: 1 << 2, HSIDIV_SHIFT: 3, HSIDIVF: 1 << 5, CSION: 1 << 7, CSIRDY: 1 << 8,
  HSI48ON: 1 << 12, HSI48RDY: 1 << 13, D1CKRDY: 1 << 14, D2CKRDY: 1 << 15, HSEON: 1 << 16, HSERDY: 1 << 17,
  HSEBYP: 1 << 18, PLL1ON: 1 << 24, PLL1RDY: 1 << 25, PLL2ON: 1 << 26, PLL2RDY: 1 << 27, PLL3ON: 1 << 28, PLL3RDY: 1 << 29,
} as const;

/** (enable bit, ready bit, start-up delay in cycles) for each oscillator and PLL. */
const SOURCES: [number, number, number][] = [
  [RCC_CR.HSION, RCC_CR.HSIRDY, 64],
  [RCC_CR.CSION, RCC_CR.CSIRDY, 64],
  [RCC_CR.HSI48ON, RCC_CR.HSI48RDY, 200],
  [RCC_CR.HSEON, RCC_CR.HSERDY, 2000],
  [RCC_CR.PLL1ON, RCC_CR.PLL1RDY, 500],
  [RCC_CR.PLL2ON, RCC_CR.PLL2RDY, 500],
  [RCC_CR.PLL3ON, RCC_CR.PLL3RDY, 500],
];

const HSI_HZ = 64_000_000;
const CSI_HZ = 4_000_000;

const RESET: Record<number, number> = {
  [RCC_REG.CR]: RCC_CR.HSION | RCC_CR.HSIRDY | RCC_CR.HSIDIVF | RCC_CR.D1CKRDY | RCC_CR.D2CKRDY,
  [RCC_REG.HSICFGR]: 0x40000000,
  [RCC_REG.CSICFGR]: 0x20000000,
  [RCC_REG.PLLCKSELR]: 0x02020200,
  [RCC_REG.PLLCFGR]: 0x01ff0000,
  [RCC_REG.PLL1DIVR]: 0x01010280,
  [RCC_REG.PLL2DIVR]: 0x01010280,
  [RCC_REG.PLL3DIVR]: 0x01010280,
  [RCC_REG.RSR]: 0x00fe0000,
};

export class Stm32h7Rcc implements Device {
  private regs = new Map<number, number>();
  /** Called with the CPU clock in Hz whenever it changes. */
  onCoreClock: ((hz: number) => void) | null = null;
  private lastHz = 0;

  constructor(private readonly clock: Clock, readonly hseHz: number) {
    this.reset();
  }

  reset(): void {
    this.regs = new Map(Object.entries(RESET).map(([k, v]) => [Number(k), v >>> 0]));
    this.changed();
  }

  private get(reg: number): number {
    return this.regs.get(reg) ?? 0;
  }

  get cr(): number {
    return this.get(RCC_REG.CR);
  }

  /** Whether a peripheral clock enable bit (e.g. RCC_REG.APB2ENR, bit 4 for USART1) is set. */
  clockEnabled(reg: number, bit: number): boolean {
    return ((this.get(reg) >>> bit) & 1) === 1;
  }

  read(offset: number, size: AccessSize): number {
    return laneRead(this.get(offset & ~3), offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const reg = offset & ~3;
    if (reg >= 0x400) return;
    const v = laneMerge(this.get(reg), offset, size, value);
    switch (reg) {
      case RCC_REG.CR: return this.writeCr(v);
      case RCC_REG.CFGR: {
        const old = this.get(reg);
        this.regs.set(reg, ((v & ~0x38) | (old & 0x38)) >>> 0); // SWS is read-only
        this.switchLater();
        return;
      }
      case RCC_REG.RSR: {
        if (v & (1 << 16)) this.regs.set(reg, 0); // RMVF clears the reset flags
        return;
      }
      default:
        this.regs.set(reg, v);
        if (reg === RCC_REG.D1CFGR || reg === RCC_REG.PLL1DIVR || reg === RCC_REG.PLLCKSELR || reg === RCC_REG.PLL1FRACR) this.changed();
    }
  }

  private writeCr(v: number): void {
    let cr = this.cr;
    const sws = (this.get(RCC_REG.CFGR) >>> 3) & 7;
    const enables = SOURCES.reduce((m, [en]) => m | en, 0) | RCC_CR.HSEBYP | (3 << RCC_CR.HSIDIV_SHIFT) | (1 << 1) | (1 << 9) | (1 << 19);
    let next = (cr & ~enables) | (v & enables);
    // The clock feeding the system cannot be switched off (RM0433: HSION is forced while
    // HSI is the system clock, PLL1ON while PLL1 is).
    if (sws === 0) next |= RCC_CR.HSION;
    if (sws === 3) next |= RCC_CR.PLL1ON;
    if (sws === 2) next |= RCC_CR.HSEON;
    if (((next ^ cr) >>> RCC_CR.HSIDIV_SHIFT) & 3) {
      next &= ~RCC_CR.HSIDIVF;
      this.clock.after(64, () => {
        this.regs.set(RCC_REG.CR, (this.cr | RCC_CR.HSIDIVF) >>> 0);
        this.changed();
      });
    }
    cr = next >>> 0;
    for (const [en, rdy, delay] of SOURCES) {
      if (!(cr & en)) cr &= ~rdy; // off: not ready at once
      else if (!(cr & rdy) && !(this.cr & en)) {
        this.clock.after(delay, () => {
          const now = this.cr;
          if (now & en && this.sourceOfPllReady(en)) this.regs.set(RCC_REG.CR, (now | rdy) >>> 0);
          this.switchLater();
        });
      }
    }
    this.regs.set(RCC_REG.CR, cr >>> 0);
    this.changed();
  }

  /** A PLL locks only if its reference oscillator runs. */
  private sourceOfPllReady(en: number): boolean {
    if (en !== RCC_CR.PLL1ON && en !== RCC_CR.PLL2ON && en !== RCC_CR.PLL3ON) return true;
    const src = this.get(RCC_REG.PLLCKSELR) & 3;
    const cr = this.cr;
    return src === 0 ? (cr & RCC_CR.HSIRDY) !== 0 : src === 1 ? (cr & RCC_CR.CSIRDY) !== 0 : src === 2 ? (cr & RCC_CR.HSERDY) !== 0 : false;
  }

  /** SWS follows SW once the selected source is ready. */
  private switchLater(): void {
    this.clock.after(4, () => {
      const cfgr = this.get(RCC_REG.CFGR);
      const sw = cfgr & 7;
      const cr = this.cr;
      const ready = sw === 0 ? cr & RCC_CR.HSIRDY : sw === 1 ? cr & RCC_CR.CSIRDY : sw === 2 ? cr & RCC_CR.HSERDY : sw === 3 ? cr & RCC_CR.PLL1RDY : 0;
      if (ready) this.regs.set(RCC_REG.CFGR, ((cfgr & ~0x38) | (sw << 3)) >>> 0);
      this.changed();
    });
  }

  private oscHz(src: number): number {
    const cr = this.cr;
    if (src === 0) return HSI_HZ >>> ((cr >>> RCC_CR.HSIDIV_SHIFT) & 3);
    if (src === 1) return CSI_HZ;
    if (src === 2) return this.hseHz;
    return 0;
  }

  /** PLL1's P output in Hz. */
  get pll1PHz(): number {
    const cksel = this.get(RCC_REG.PLLCKSELR);
    const divm = (cksel >>> 4) & 0x3f;
    if (divm === 0) return 0;
    const ref = this.oscHz(cksel & 3) / divm;
    const divr = this.get(RCC_REG.PLL1DIVR);
    const n = (divr & 0x1ff) + 1;
    const p = ((divr >>> 9) & 0x7f) + 1;
    const cfgr = this.get(RCC_REG.PLLCFGR);
    const frac = cfgr & 1 ? ((this.get(RCC_REG.PLL1FRACR) >>> 3) & 0x1fff) / 8192 : 0;
    return Math.round((ref * (n + frac)) / p);
  }

  /** SYSCLK in Hz (the source SWS says). */
  get sysclkHz(): number {
    const sws = (this.get(RCC_REG.CFGR) >>> 3) & 7;
    return sws === 3 ? this.pll1PHz : this.oscHz(sws);
  }

  /** The Cortex-M7 clock: SYSCLK / D1CPRE. */
  get coreHz(): number {
    const d1cpre = (this.get(RCC_REG.D1CFGR) >>> 8) & 0xf;
    const div = d1cpre < 8 ? 1 : [2, 4, 8, 16, 64, 128, 256, 512][d1cpre - 8];
    return Math.round(this.sysclkHz / div);
  }

  private changed(): void {
    const hz = this.coreHz;
    if (hz > 0 && hz !== this.lastHz) {
      this.lastHz = hz;
      this.onCoreClock?.(hz);
    }
  }
}
