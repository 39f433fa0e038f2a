// Setting up a Cortex-M's ITM and TPIU for SWO trace, as a debugger does before it
// captures (what OpenOCD's `tpiu ... enable` and `itm port` do): DEMCR.TRCENA, the TPIU's
// pin protocol, prescaler and formatter, then the ITM's lock, control and port enables.
import type { MemAccessPort } from '../adi/mem-ap.js';
import {
  CS_UNLOCK_KEY,
  DEMCR,
  ITM_LAR,
  ITM_TCR,
  ITM_TER,
  ITM_TPR,
  TPIU_ACPR,
  TPIU_BASE,
  TPIU_CSPSR,
  TPIU_FFCR,
  TPIU_SPPR,
  TPIU_TXMODE,
} from '../arch/index.js';
import type { SwoMode } from '../wire/debug-wire.js';

export class SwoSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SwoSetupError';
  }
}

/** Where the TPIU that drives the SWO pin is: the core's at 0xE0040000, or a chip's own SWO unit behind another AP. */
export interface TpiuLocation {
  mem: MemAccessPort;
  base: number;
}

export interface SwoSetup {
  mode: SwoMode;
  /** The SWO bit rate wanted, Hz. */
  baud: number;
  /** TRACECLKIN, the TPIU's clock (on most parts the core clock), Hz. */
  traceClockHz: number;
  /** Stimulus ports to enable (ITM_TER), a bit per port. */
  ports: number;
  /** The TPIU to program (default: the core's, through `mem`). */
  tpiu?: TpiuLocation;
}

/** The TPIU's largest prescaler (ACPR.PRESCALER is 13 bits). */
const MAX_PRESCALER = 0x2000;

/**
 * The prescaler for `baud` from `traceClockHz` and the rate it gives; throws when no
 * prescaler comes within 3% (what a UART capture tolerates).
 */
export function swoPrescaler(traceClockHz: number, baud: number): { prescaler: number; baud: number } {
  if (!(baud > 0) || !(traceClockHz > 0)) throw new SwoSetupError(`SWO: the trace clock (${traceClockHz} Hz) and baud rate (${baud}) must be positive`);
  const prescaler = Math.max(1, Math.round(traceClockHz / baud));
  const actual = traceClockHz / prescaler;
  if (prescaler > MAX_PRESCALER) {
    throw new SwoSetupError(`SWO: ${baud} baud is below what a ${traceClockHz} Hz trace clock makes (the TPIU divides by at most ${MAX_PRESCALER}: ${Math.ceil(traceClockHz / MAX_PRESCALER)} baud or more)`);
  }
  if (Math.abs(actual - baud) > baud * 0.03) {
    throw new SwoSetupError(
      `SWO: ${baud} baud cannot be made from a ${traceClockHz} Hz trace clock (nearest: ${Math.round(actual)} baud with prescaler ${prescaler}); pick a rate that divides it`,
    );
  }
  return { prescaler, baud: Math.round(actual) };
}

/** The rate tsprobe picks when nobody names one: a common probe's UART limit. */
export const DEFAULT_SWO_MAX_BAUD = 2_000_000;

/** The fastest rate up to `max` that the TPIU makes exactly from `traceClockHz` (for when the user names none). */
export function defaultSwoBaud(traceClockHz: number, max = DEFAULT_SWO_MAX_BAUD): number {
  return Math.floor(traceClockHz / Math.max(1, Math.ceil(traceClockHz / max)));
}

/** Program DEMCR, TPIU and ITM for SWO output at `setup.baud`; returns the exact rate. */
export async function enableSwoTrace(mem: MemAccessPort, setup: SwoSetup): Promise<{ prescaler: number; baud: number }> {
  const rate = swoPrescaler(setup.traceClockHz, setup.baud);
  const demcr = await mem.read32(DEMCR.address);
  await mem.write32(DEMCR.address, (demcr | DEMCR.fields.TRCENA.mask) >>> 0);
  // The TPIU's registers at their offsets from wherever the chip has it.
  const t = setup.tpiu ?? { mem, base: TPIU_BASE };
  const reg = (r: { address: number }) => (t.base + (r.address - TPIU_BASE)) >>> 0;
  await t.mem.write32(reg(TPIU_CSPSR), 1); // port size 1 (SWO ignores it; some parts want it set)
  await t.mem.write32(reg(TPIU_ACPR), rate.prescaler - 1);
  await t.mem.write32(reg(TPIU_SPPR), setup.mode === 'uart' ? TPIU_TXMODE.NRZ : TPIU_TXMODE.MANCHESTER);
  await t.mem.write32(reg(TPIU_FFCR), TPIU_FFCR.encode({ TrigIn: 1 })); // formatter off: ITM bytes go out as they are
  await mem.write32(ITM_LAR.address, CS_UNLOCK_KEY);
  await mem.write32(ITM_TCR.address, ITM_TCR.encode({ ITMENA: 1, TraceBusID: 1 }));
  await mem.write32(ITM_TPR.address, 0); // unprivileged code may write every port
  await mem.write32(ITM_TER.address, setup.ports >>> 0);
  return rate;
}

/** Turn the ITM off again (ports and ITMENA); TRCENA is left as it was set. */
export async function disableSwoTrace(mem: MemAccessPort): Promise<void> {
  await mem.write32(ITM_LAR.address, CS_UNLOCK_KEY);
  await mem.write32(ITM_TER.address, 0);
  await mem.write32(ITM_TCR.address, 0);
}

/** Parse "0,1,5" or "all" into an ITM_TER mask. */
export function parsePorts(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'all') return 0xffffffff;
  let mask = 0;
  for (const part of t.split(',')) {
    const n = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(n) || n < 0 || n > 31) throw new SwoSetupError(`stimulus port '${part}' is not a number from 0 to 31 (give e.g. 0,1 or all)`);
    mask |= 1 << n;
  }
  return mask >>> 0;
}
