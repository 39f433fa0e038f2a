// The SWJ-DP's pins, one clock cycle at a time: SWDIO/TMS as driven by the host, and
// what the target drives back. It turns bits into SwDp packets (ADIv5.2 B4.2) and
// recognises the line reset and the SWJ switching sequences (B5): JTAG-to-SWD,
// SWD-to-JTAG, SWD/JTAG-to-dormant and the dormant wake-up (selection alert +
// activation code). JTAG itself (the JTAG-DP TAP) is not modelled: in JTAG mode the
// port only listens for the sequences that leave it.
import { Ack, SWJ } from '../../arch/dp.js';
import type { SwDp } from './sw-dp.js';

type Phase =
  | { kind: 'idle' }
  | { kind: 'header'; bits: number; n: number }
  | { kind: 'trn'; left: number; then: Phase }
  | { kind: 'ack'; ack: Ack; n: number; then: Phase }
  | { kind: 'rdata'; data: number; n: number }
  | { kind: 'wdata'; data: number; n: number; apndp: number; a: number; targetsel: boolean }
  | { kind: 'ignore'; left: number }
  | { kind: 'resetting' } // inside a line reset: the first low cycle makes the line idle
  | { kind: 'silent' }; // lockout/deselected/JTAG/dormant: drive nothing, wait for a sequence

const parity32 = (v: number): number => {
  v ^= v >>> 16;
  v ^= v >>> 8;
  v ^= v >>> 4;
  v ^= v >>> 2;
  v ^= v >>> 1;
  return v & 1;
};

/** What the target drives in a cycle: 0, 1, or undefined (line not driven; pulled up). */
export type Drive = 0 | 1 | undefined;

export class SwjPort {
  private phase: Phase = { kind: 'silent' };
  /** Consecutive host-driven ones so far. */
  private ones = 0;
  /** Last host-driven bits, newest in bit 31 of the newest word (LSB-first sequences). */
  private hist: number[] = [0, 0, 0, 0, 0];
  /** Host bits counted since the last run of >= 50 ones ended (for sequences after a line reset). */
  private sinceReset = -1;
  /** Dormant wake-up: bits received after the selection alert, or -1. */
  private afterAlert = -1;
  private activation = 0;

  constructor(readonly dp: SwDp) {}

  /**
   * One clock cycle. `host` is the bit the host drives, or undefined when the host has
   * released the line (turnaround, target data). Returns what the target drives.
   */
  clock(host: Drive): Drive {
    let out: Drive;
    if (host !== undefined) this.hostBit(host);
    if (this.dp.mode !== 'swd') return undefined;
    switch (this.phase.kind) {
      case 'idle':
        if (host === 1) this.phase = { kind: 'header', bits: 1, n: 1 };
        return undefined;
      case 'header': {
        const p = this.phase;
        p.bits |= (host ?? 1) << p.n;
        p.n++;
        if (p.n === 8) this.headerDone(p.bits);
        return undefined;
      }
      case 'trn': {
        const p = this.phase;
        p.left--;
        if (p.left === 0) this.phase = p.then;
        return undefined;
      }
      case 'ack': {
        const p = this.phase;
        out = ((p.ack >>> p.n) & 1) as 0 | 1;
        p.n++;
        if (p.n === 3) this.phase = p.then;
        return out;
      }
      case 'rdata': {
        const p = this.phase;
        out = p.n < 32 ? (((p.data >>> p.n) & 1) as 0 | 1) : (parity32(p.data) as 0 | 1);
        p.n++;
        if (p.n === 33) this.phase = { kind: 'trn', left: this.dp.turnround + 1, then: { kind: 'idle' } };
        return out;
      }
      case 'wdata': {
        const p = this.phase;
        const b = host ?? 1;
        if (p.n < 32) {
          p.data = (p.data | (b << p.n)) >>> 0;
          p.n++;
          return undefined;
        }
        this.phase = { kind: 'idle' };
        if (b !== parity32(p.data)) {
          if (!p.targetsel) this.dp.writeParityError();
          return undefined;
        }
        if (p.targetsel) {
          this.dp.transfer(0, 0, 0xc, p.data);
          if (this.dp.state !== 'reset') this.phase = { kind: 'silent' };
        } else this.dp.perform(p.apndp, 0, p.a, p.data);
        return undefined;
      }
      case 'ignore': {
        const p = this.phase;
        if (--p.left === 0) this.phase = { kind: 'idle' };
        return undefined;
      }
      case 'resetting':
        if (host === 0) this.phase = { kind: 'idle' };
        return undefined;
      case 'silent':
        return undefined;
    }
  }

  /** Drive `n` host bits of `value`, LSB first (an SWJ sequence). */
  sequence(n: number, bits: Uint8Array | number[]): void {
    for (let i = 0; i < n; i++) this.clock(((bits[i >>> 3] >>> (i & 7)) & 1) as 0 | 1);
  }

  private headerDone(h: number): void {
    const start = h & 1;
    const apndp = (h >>> 1) & 1;
    const rnw = (h >>> 2) & 1;
    const a = ((h >>> 3) & 3) << 2;
    const parity = (h >>> 5) & 1;
    const stop = (h >>> 6) & 1;
    const park = (h >>> 7) & 1;
    const trn = this.dp.turnround + 1;
    if (start !== 1 || stop !== 0 || park !== 1 || parity !== parity32(h & 0x1e)) {
      this.dp.protocolError(`bad packet header 0x${h.toString(16)} (start/stop/park/parity)`);
      this.phase = { kind: 'silent' };
      return;
    }
    if (this.dp.isTargetSel(apndp, rnw, a)) {
      // Nobody drives the acknowledge of TARGETSEL: trn + 3 undriven + trn, then 33 host bits.
      this.phase = { kind: 'trn', left: trn + 3 + trn, then: { kind: 'wdata', data: 0, n: 0, apndp, a, targetsel: true } };
      return;
    }
    const ack = this.dp.begin(apndp, rnw, a);
    if (ack === Ack.NONE) {
      this.phase = { kind: 'silent' };
      return;
    }
    const overrun = this.dp.ctrlStat & 1; // ORUNDETECT: a data phase follows WAIT/FAULT too
    if (rnw) {
      let then: Phase;
      if (ack === Ack.OK) {
        this.dp.perform(apndp, 1, a, 0);
        then = { kind: 'rdata', data: this.dp.rdata, n: 0 };
      } else then = overrun ? { kind: 'rdata', data: 0, n: 0 } : { kind: 'trn', left: trn, then: { kind: 'idle' } };
      this.phase = { kind: 'trn', left: trn, then: { kind: 'ack', ack, n: 0, then } };
      return;
    }
    const after: Phase = ack === Ack.OK ? { kind: 'wdata', data: 0, n: 0, apndp, a, targetsel: false } : overrun ? { kind: 'ignore', left: 33 } : { kind: 'idle' };
    this.phase = { kind: 'trn', left: trn, then: { kind: 'ack', ack, n: 0, then: { kind: 'trn', left: trn, then: after } } };
  }

  /** Track host bits for the line reset and the switching sequences. */
  private hostBit(b: 0 | 1): void {
    // shift the 160-bit history right by one, new bit in at the top of word 4
    const h = this.hist;
    for (let i = 0; i < 4; i++) h[i] = ((h[i] >>> 1) | ((h[i + 1] & 1) << 31)) >>> 0;
    h[4] = ((h[4] >>> 1) | (b << 31)) >>> 0;

    if (b === 1) {
      this.ones++;
      if (this.ones >= SWJ.LINE_RESET_BITS && this.dp.mode === 'swd') {
        this.dp.lineReset();
        this.phase = { kind: 'resetting' };
      }
    } else {
      if (this.ones >= SWJ.LINE_RESET_BITS) this.sinceReset = 0;
      this.ones = 0;
    }
    if (this.sinceReset >= 0) this.sinceReset++;

    const last = (n: number): number => (n === 32 ? h[4] : h[4] >>> (32 - n)) >>> 0;
    switch (this.dp.mode) {
      case 'swd':
        if (this.sinceReset === 16) {
          if (last(16) === SWJ.SWD_TO_JTAG) this.enter('jtag');
          else if (last(16) === SWJ.SWD_TO_DORMANT) this.enter('dormant');
        }
        break;
      case 'jtag':
        // preceded by >= 5 cycles TMS high (Test-Logic-Reset); the sequences start with a 0
        if (last(16) === SWJ.JTAG_TO_SWD && this.onesRunBefore(16) >= 5) this.enter('swd');
        else if (last(31) === SWJ.JTAG_TO_DORMANT && this.onesRunBefore(31) >= 5) this.enter('dormant');
        break;
      case 'dormant':
        this.dormantBit(b);
        break;
    }
  }

  /** Length of the run of ones just before the last `n` bits (which start with a 0). */
  private onesRunBefore(n: number): number {
    // the window's first bit is a 0; count ones immediately before it in the history
    let count = 0;
    for (let i = 160 - n - 1; i >= 0; i--) {
      const bit = (this.hist[i >>> 5] >>> (i & 31)) & 1;
      if (bit !== 1) break;
      count++;
    }
    return count;
  }

  private dormantBit(b: 0 | 1): void {
    if (this.afterAlert < 0) {
      const h = this.hist;
      const a = SWJ.SELECTION_ALERT;
      if (h[1] === a[0] && h[2] === a[1] && h[3] === a[2] && h[4] === a[3]) {
        this.afterAlert = 0;
        this.activation = 0;
      }
      return;
    }
    const n = this.afterAlert++;
    if (n < 4) {
      if (b !== 0) this.afterAlert = -1; // four cycles low required after the alert
      return;
    }
    this.activation |= b << (n - 4);
    if (n - 4 === 7 && this.activation === SWJ.ACTIVATION_SWD) {
      this.afterAlert = -1;
      this.enter('swd');
    } else if (n - 4 === 11) {
      this.afterAlert = -1;
      if (this.activation === SWJ.ACTIVATION_JTAG) this.enter('jtag');
    }
  }

  private enter(mode: 'swd' | 'jtag' | 'dormant'): void {
    this.dp.mode = mode;
    // After a switch to SWD a line reset is needed before the first packet.
    this.dp.state = 'lockout';
    this.phase = { kind: 'silent' };
    this.sinceReset = -1;
    this.afterAlert = -1;
  }

  /** Sync the bit engine after register-level use switched modes or reset lines. */
  resync(): void {
    this.phase = this.dp.mode === 'swd' && this.dp.state !== 'lockout' && this.dp.state !== 'deselected' ? { kind: 'idle' } : { kind: 'silent' };
  }
}
