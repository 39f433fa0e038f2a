// Debug Port registers (ADIv5.2, SW-DP). `address` is the A[3:2] byte address (0x0-0xC);
// registers at 0x4 are banked by SELECT.DPBANKSEL, which `bank` gives.
import { register } from './register.js';

/** DP register addresses (A[3:2] << 2). */
export const DP_ADDR = { DPIDR: 0x0, ABORT: 0x0, CTRL_STAT: 0x4, RESEND: 0x8, SELECT: 0x8, RDBUFF: 0xc, TARGETSEL: 0xc } as const;
/** SELECT.DPBANKSEL values of the registers at address 0x4 (DPv2). */
export const DP_BANK = { CTRL_STAT: 0, DLCR: 1, TARGETID: 2, DLPIDR: 3, EVENTSTAT: 4 } as const;

/** DPIDR (read at 0x0). */
export const DPIDR = register('DPIDR', 0x0, {
  REVISION: [31, 28],
  PARTNO: [27, 20],
  MIN: 16,
  VERSION: [15, 12],
  DESIGNER: [11, 1],
  RAO: 0,
});

/** ABORT (write at 0x0). */
export const ABORT = register('ABORT', 0x0, {
  ORUNERRCLR: 4,
  WDERRCLR: 3,
  STKERRCLR: 2,
  STKCMPCLR: 1,
  DAPABORT: 0,
});

/** CTRL/STAT (0x4, bank 0). */
export const CTRL_STAT = register('CTRL/STAT', 0x4, {
  CSYSPWRUPACK: 31,
  CSYSPWRUPREQ: 30,
  CDBGPWRUPACK: 29,
  CDBGPWRUPREQ: 28,
  CDBGRSTACK: 27,
  CDBGRSTREQ: 26,
  TRNCNT: [23, 12],
  MASKLANE: [11, 8],
  WDATAERR: 7,
  READOK: 6,
  STICKYERR: 5,
  STICKYCMP: 4,
  TRNMODE: [3, 2],
  STICKYORUN: 1,
  ORUNDETECT: 0,
});
/** CTRL/STAT.TRNMODE values. */
export const TRNMODE = { NORMAL: 0, PUSHED_VERIFY: 1, PUSHED_COMPARE: 2 } as const;
/** All sticky error flags of CTRL/STAT: any of them makes AP accesses answer FAULT. */
export const CTRL_STAT_STICKY = (CTRL_STAT.fields.STICKYERR.mask | CTRL_STAT.fields.STICKYCMP.mask | CTRL_STAT.fields.STICKYORUN.mask | CTRL_STAT.fields.WDATAERR.mask) >>> 0;

/** DLCR (0x4, bank 1): the SWD turnaround period is TURNROUND + 1 cycles. */
export const DLCR = register('DLCR', 0x4, { TURNROUND: [9, 8] });

/** TARGETID (0x4, bank 2, DPv2). */
export const TARGETID = register('TARGETID', 0x4, {
  TREVISION: [31, 28],
  TPARTNO: [27, 12],
  TDESIGNER: [11, 1],
  RAO: 0,
});

/** DLPIDR (0x4, bank 3, DPv2). */
export const DLPIDR = register('DLPIDR', 0x4, { TINSTANCE: [31, 28], PROTVSN: [3, 0] });

/** SELECT (write at 0x8). */
export const SELECT = register('SELECT', 0x8, { APSEL: [31, 24], APBANKSEL: [7, 4], DPBANKSEL: [3, 0] });

/** TARGETSEL (write at 0xC, DPv2 multi-drop). */
export const TARGETSEL = register('TARGETSEL', 0xc, { TINSTANCE: [31, 28], TPARTNO: [27, 12], TDESIGNER: [11, 1], ONE: 0 });

/** JEP106 code of ARM Ltd as it appears in DESIGNER fields: continuation 4, identity 0x3B. */
export const DESIGNER_ARM = 0x23b;

/** SWD acknowledge values as sent on the wire (3 bits, LSB first). */
export const enum Ack {
  OK = 0b001,
  WAIT = 0b010,
  FAULT = 0b100,
  /** Nothing drove the line: the pull-up reads 0b111. */
  NONE = 0b111,
}

/** SWJ switching sequences (sent LSB first on SWDIO/TMS). */
export const SWJ = {
  /** At least 50 cycles with SWDIO high. */
  LINE_RESET_BITS: 50,
  JTAG_TO_SWD: 0xe79e, // 16 bits
  SWD_TO_JTAG: 0xe73c, // 16 bits
  SWD_TO_DORMANT: 0xe3bc, // 16 bits
  JTAG_TO_DORMANT: 0x33bbbbba, // 31 bits, on TMS
  /** The 128-bit selection alert, as four 32-bit words sent word 0 first, each LSB first. */
  SELECTION_ALERT: [0x6209f392, 0x86852d95, 0xe3ddafe9, 0x19bc0ea2] as readonly number[],
  /** Activation codes sent after the alert and 4 cycles low. */
  ACTIVATION_SWD: 0x1a, // 8 bits
  ACTIVATION_JTAG: 0x00, // 12 bits
} as const;
