// Instrumentation Trace Macrocell (ARMv7-M ARM C1.7) and the TPIU (C1.10).
import { register } from './register.js';

export const ITM_BASE = 0xe0000000;
export const itmStimAddress = (port: number): number => (0xe0000000 + 4 * port) >>> 0;
export const ITM_TER = register('ITM_TER', 0xe0000e00, { STIMENA: [31, 0] });
export const ITM_TPR = register('ITM_TPR', 0xe0000e40, { PRIVMASK: [3, 0] });
export const ITM_TCR = register('ITM_TCR', 0xe0000e80, {
  BUSY: 23,
  TraceBusID: [22, 16],
  GTSFREQ: [11, 10],
  TSPrescale: [9, 8],
  SWOENA: 4,
  TXENA: 3,
  SYNCENA: 2,
  TSENA: 1,
  ITMENA: 0,
});
export const ITM_LAR = register('ITM_LAR', 0xe0000fb0, { KEY: [31, 0] });
export const ITM_LSR = register('ITM_LSR', 0xe0000fb4, { ByteAcc: 2, Access: 1, Present: 0 });
/** CoreSight lock access key. */
export const CS_UNLOCK_KEY = 0xc5acce55;

export const TPIU_BASE = 0xe0040000;
export const TPIU_SSPSR = register('TPIU_SSPSR', 0xe0040000, { SWIDTH: [31, 0] });
export const TPIU_CSPSR = register('TPIU_CSPSR', 0xe0040004, { CWIDTH: [31, 0] });
export const TPIU_ACPR = register('TPIU_ACPR', 0xe0040010, { PRESCALER: [12, 0] });
export const TPIU_SPPR = register('TPIU_SPPR', 0xe00400f0, { TXMODE: [1, 0] });
export const TPIU_FFSR = register('TPIU_FFSR', 0xe0040300, { FtNonStop: 3, TCPresent: 2, FtStopped: 1, FlInProg: 0 });
export const TPIU_FFCR = register('TPIU_FFCR', 0xe0040304, { TrigIn: 8, EnFCont: 1 });
export const TPIU_TYPE = register('TPIU_TYPE', 0xe0040fc8, { NRZVALID: 11, MANCVALID: 10, PTINVALID: 9, FIFOSZ: [8, 6] });
/** TPIU_SPPR.TXMODE values. */
export const TPIU_TXMODE = { PARALLEL: 0, MANCHESTER: 1, NRZ: 2 } as const;
