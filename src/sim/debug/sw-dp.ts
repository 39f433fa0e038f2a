// The SW-DP at the register-transfer level (ADIv5.2 chapter B4): what one SWD packet
// does once its header has been received. The bit-serial front end (swj-port.ts) and
// the fast DebugWire simulator both drive this class, so the rules live in one place.
import { Ack, CTRL_STAT, DPIDR, DP_BANK, TARGETSEL, TRNMODE, ABORT } from '../../arch/dp.js';
import type { AccessPortDevice } from './access-port.js';

export interface SwDpConfig {
  /** DPIDR value, e.g. 0x2BA01477 (SW-DP v1 of Cortex-M3/M4) or 0x5BA02477 (v2). */
  dpidr: number;
  /** TARGETID (DPv2 only). */
  targetid?: number;
  /** DLPIDR (DPv2 only); TINSTANCE in [31:28], PROTVSN = 1. */
  dlpidr?: number;
  /** Reads of CTRL/STAT before a power-up request is acknowledged (0 = at once). */
  powerUpDelay?: number;
}

/** Which protocol the SWJ-DP speaks. An SWJ-DP powers up in JTAG. */
export type SwjMode = 'swd' | 'jtag' | 'dormant';

/**
 * SWD protocol state: `reset` after a line reset (only a DPIDR read, or a TARGETSEL write
 * on DPv2, is accepted); `active`; `lockout` after a protocol error (no response until a
 * line reset); `deselected` after a TARGETSEL for another target.
 */
export type SwdState = 'reset' | 'active' | 'lockout' | 'deselected';

const F = CTRL_STAT.fields;
/** CTRL/STAT bits the debugger can write in SWD (sticky flags are cleared through ABORT). */
const CTRL_WRITABLE = (F.CSYSPWRUPREQ.mask | F.CDBGPWRUPREQ.mask | F.CDBGRSTREQ.mask | F.TRNCNT.mask | F.MASKLANE.mask | F.TRNMODE.mask | F.ORUNDETECT.mask) >>> 0;

export class SwDp {
  readonly version: number;
  readonly aps: (AccessPortDevice | undefined)[] = [];
  mode: SwjMode = 'jtag';
  state: SwdState = 'reset';
  /** Result of the last read transfer (valid when it returned Ack.OK). */
  rdata = 0;
  /** Why the last transfer got no response, for tests and diagnostics. */
  lastProtocolError = '';

  private ctrl = 0; // CTRL/STAT writable bits
  private sticky = 0; // STICKYERR | STICKYCMP | STICKYORUN | WDATAERR
  private readOk = false;
  private pwrAckDbg = false;
  private pwrAckSys = false;
  private pwrDelayLeft = 0;
  private select = 0;
  private rdbuff = 0;
  /** DLCR.TURNROUND: turnaround is this + 1 cycles. */
  turnround = 0;

  constructor(readonly config: SwDpConfig) {
    this.version = (config.dpidr >>> 12) & 0xf;
  }

  /** The SWD line reset (>= 50 cycles high): back to the reset state, selection undone. */
  lineReset(): void {
    if (this.mode !== 'swd') return;
    this.state = 'reset';
  }

  /** Power-on reset of the whole DP. */
  powerOn(): void {
    this.mode = 'jtag';
    this.state = 'reset';
    this.ctrl = 0;
    this.sticky = 0;
    this.select = 0;
    this.rdbuff = 0;
    this.turnround = 0;
    this.pwrAckDbg = this.pwrAckSys = false;
  }

  /** A protocol error: the DP stops responding until the next line reset. */
  protocolError(why: string): void {
    this.state = 'lockout';
    this.lastProtocolError = why;
  }

  /** A write data phase arrived with bad parity after an OK acknowledge. */
  writeParityError(): void {
    this.sticky |= F.WDATAERR.mask;
  }

  get ctrlStat(): number {
    let v = this.ctrl | this.sticky;
    if (this.readOk) v |= F.READOK.mask;
    if (this.pwrAckDbg) v |= F.CDBGPWRUPACK.mask;
    if (this.pwrAckSys) v |= F.CSYSPWRUPACK.mask;
    if (this.ctrl & F.CDBGRSTREQ.mask) v |= F.CDBGRSTACK.mask;
    return v >>> 0;
  }

  /** True when the debug power domain is up (AP accesses work). */
  get debugPowered(): boolean {
    return this.pwrAckDbg;
  }

  /**
   * First half of a packet, once its header is in: does the DP respond, and with which
   * acknowledge? Ack.NONE: no response (not in SWD, lockout, deselected, or a packet other
   * than a DPIDR read after a line reset, which is a protocol error). WAIT while the AP is
   * busy; FAULT while a sticky flag is set (DPIDR and CTRL/STAT reads and ABORT writes are
   * exempt); with ORUNDETECT, WAIT and FAULT set STICKYORUN.
   */
  begin(apndp: number, rnw: number, a: number): Ack {
    if (this.mode !== 'swd' || this.state === 'lockout' || this.state === 'deselected') return Ack.NONE;
    if (this.state === 'reset') {
      if (!(apndp === 0 && rnw === 1 && a === 0)) {
        this.protocolError('the first packet after a line reset must read DPIDR');
        return Ack.NONE;
      }
      this.state = 'active';
    }
    // FAULT while a sticky flag is set comes first; then WAIT while the AP is busy.
    let ack = Ack.OK;
    if (this.sticky !== 0) {
      const exempt = apndp === 0 && ((rnw === 1 && (a === 0 || a === 4)) || (rnw === 0 && a === 0));
      if (!exempt) ack = Ack.FAULT;
    }
    if (ack === Ack.OK && (apndp === 1 || (rnw === 1 && a === 0xc))) {
      const ap = this.aps[this.select >>> 24];
      if (ap && ap.busy()) ack = Ack.WAIT;
    }
    if (ack !== Ack.OK && this.ctrl & F.ORUNDETECT.mask) this.sticky |= F.STICKYORUN.mask;
    return ack;
  }

  /** Second half of a packet that got Ack.OK: the register access itself (read data in `rdata`). */
  perform(apndp: number, rnw: number, a: number, wdata: number): void {
    if (apndp === 0) {
      if (rnw) this.rdata = this.readDp(a);
      else this.writeDp(a, wdata >>> 0);
    } else if (rnw) {
      this.rdata = this.readAp(a);
    } else {
      this.writeAp(a, wdata >>> 0);
    }
  }

  /** True for the DPv2 TARGETSEL write, which no target acknowledges. */
  isTargetSel(apndp: number, rnw: number, a: number): boolean {
    return apndp === 0 && rnw === 0 && a === 0xc && this.version >= 2;
  }

  /**
   * One whole packet at register level. Returns the acknowledge (Ack.NONE when the DP
   * does not drive the line); a read's data is in `rdata`. Handles TARGETSEL too.
   */
  transfer(apndp: number, rnw: number, a: number, wdata: number): Ack {
    if (this.isTargetSel(apndp, rnw, a)) {
      if (this.mode === 'swd' && this.state !== 'lockout') this.targetSelect(wdata);
      return Ack.NONE;
    }
    const ack = this.begin(apndp, rnw, a);
    if (ack !== Ack.OK) {
      this.rdata = 0;
      return ack;
    }
    this.perform(apndp, rnw, a, wdata);
    return Ack.OK;
  }

  /**
   * `count` packets to AP register A[3:2] = `a` done together, when each would simply be
   * acknowledged OK (the DebugWire's block transfers): reads put each read's own value in
   * out[j] (packet j's posted result is out[j - 1]) and leave the last in RDBUFF; writes
   * take data[from + j]. The DP and AP end as after the single packets. Returns the
   * packets done: fewer than `count` after an AP access that failed (the sticky error
   * makes the next packet FAULT), 0 when a packet would not be a plain OK (not active,
   * sticky flag, unpowered, busy AP, pushed transfer mode), so the caller sends packets.
   */
  apRun(a: number, count: number, out: Uint32Array | null, data: Uint32Array | null, from = 0): number {
    if (this.mode !== 'swd' || this.state !== 'active' || this.sticky !== 0 || !this.pwrAckDbg || count <= 0) return 0;
    const ap = this.aps[this.select >>> 24];
    if (!ap || !ap.runReady || !ap.runReady()) return 0;
    const addr = this.apAddr(a);
    if (out) {
      if (!ap.readRun) return 0;
      const prev = this.rdbuff;
      const n = ap.readRun(addr, out, count);
      // The last packet's own (posted) result, as the single packets would leave it.
      this.rdata = n >= 2 ? out[n - 2] >>> 0 : prev;
      if (ap.error !== null) {
        this.sticky |= F.STICKYERR.mask;
        this.readOk = false;
        this.rdbuff = 0;
      } else {
        this.readOk = true;
        this.rdbuff = out[n - 1] >>> 0;
      }
      return n;
    }
    if (!data || !ap.writeRun || (this.ctrl & F.TRNMODE.mask) !== 0) return 0;
    const n = ap.writeRun(addr, data, from, count);
    if (ap.error !== null) this.sticky |= F.STICKYERR.mask;
    return n;
  }

  private targetSelect(v: number): void {
    const tid = this.config.targetid ?? 0;
    const tinstance = (this.config.dlpidr ?? 0) >>> 28;
    const want = (tid & 0x0ffffffe) | (tinstance << 28) | 1;
    const mine = ((v & (TARGETSEL.fields.TPARTNO.mask | TARGETSEL.fields.TDESIGNER.mask | TARGETSEL.fields.TINSTANCE.mask)) | 1) >>> 0;
    this.state = mine === want >>> 0 ? 'reset' : 'deselected';
  }

  readDp(a: number): number {
    switch (a) {
      case 0x0:
        return this.config.dpidr >>> 0;
      case 0x4: {
        const bank = this.version >= 2 ? this.select & 0xf : 0;
        switch (bank) {
          case DP_BANK.CTRL_STAT:
            this.advancePower();
            return this.ctrlStat;
          case DP_BANK.DLCR:
            return (this.turnround << 8) >>> 0;
          case DP_BANK.TARGETID:
            return (this.config.targetid ?? 0) >>> 0;
          case DP_BANK.DLPIDR:
            return (this.config.dlpidr ?? 1) >>> 0;
          case DP_BANK.EVENTSTAT:
            return 0; // no event pending
          default:
            return 0;
        }
      }
      case 0x8: // RESEND: the last AP read's value again, without a new transaction
        return this.rdbuff;
      default: // 0xC RDBUFF: the result of the last (posted) AP read
        return this.rdbuff;
    }
  }

  writeDp(a: number, v: number): void {
    switch (a) {
      case 0x0: // ABORT
        this.abort(v);
        return;
      case 0x4: {
        const bank = this.version >= 2 ? this.select & 0xf : 0;
        if (bank === DP_BANK.CTRL_STAT) this.writeCtrl(v);
        else if (bank === DP_BANK.DLCR) this.turnround = (v >>> 8) & 3;
        return;
      }
      case 0x8:
        this.select = v >>> 0;
        return;
      default:
        return; // TARGETSEL on DPv1 does not exist: ignored
    }
  }

  abort(v: number): void {
    const A = ABORT.fields;
    if (v & A.DAPABORT.mask) for (const ap of this.aps) ap?.abort();
    if (v & A.STKCMPCLR.mask) this.sticky &= ~F.STICKYCMP.mask;
    if (v & A.STKERRCLR.mask) this.sticky &= ~F.STICKYERR.mask;
    if (v & A.WDERRCLR.mask) this.sticky &= ~F.WDATAERR.mask;
    if (v & A.ORUNERRCLR.mask) this.sticky &= ~F.STICKYORUN.mask;
  }

  private writeCtrl(v: number): void {
    const wasReq = this.ctrl & (F.CDBGPWRUPREQ.mask | F.CSYSPWRUPREQ.mask);
    this.ctrl = (v & CTRL_WRITABLE) >>> 0;
    const req = this.ctrl & (F.CDBGPWRUPREQ.mask | F.CSYSPWRUPREQ.mask);
    if (req !== wasReq) this.pwrDelayLeft = this.config.powerUpDelay ?? 0;
    if (this.pwrDelayLeft === 0) this.advancePower();
  }

  /** Power acknowledges follow the requests after `powerUpDelay` CTRL/STAT reads. */
  private advancePower(): void {
    if (this.pwrDelayLeft > 0) {
      this.pwrDelayLeft--;
      return;
    }
    this.pwrAckDbg = (this.ctrl & F.CDBGPWRUPREQ.mask) !== 0;
    this.pwrAckSys = (this.ctrl & F.CSYSPWRUPREQ.mask) !== 0;
  }

  private apAddr(a: number): number {
    return (this.select & 0xf0) | a;
  }

  private readAp(a: number): number {
    const prev = this.rdbuff;
    const ap = this.aps[this.select >>> 24];
    let v = 0;
    if (!this.pwrAckDbg) {
      // Implementation choice: the AP is in the debug power domain; accessing it
      // unpowered is an error that the DP reports as STICKYERR.
      this.sticky |= F.STICKYERR.mask;
      this.readOk = false;
    } else if (ap) {
      v = ap.read(this.apAddr(a)) >>> 0;
      if (ap.error !== null) {
        this.sticky |= F.STICKYERR.mask;
        this.readOk = false;
        v = 0;
      } else this.readOk = true;
    } else this.readOk = true; // an absent AP reads as zero (IDR 0 ends AP discovery)
    this.rdbuff = v;
    // AP reads are posted: this packet returns the previous AP read's result.
    return prev;
  }

  private writeAp(a: number, v: number): void {
    const ap = this.aps[this.select >>> 24];
    if (!this.pwrAckDbg) {
      this.sticky |= F.STICKYERR.mask;
      return;
    }
    if (!ap) return;
    const mode = (this.ctrl & F.TRNMODE.mask) >>> F.TRNMODE.lsb;
    if (mode === TRNMODE.NORMAL) {
      ap.write(this.apAddr(a), v);
      if (ap.error !== null) this.sticky |= F.STICKYERR.mask;
      return;
    }
    // Pushed verify / compare: the AP reads instead of writing and compares the lanes
    // selected by MASKLANE; verify flags a mismatch, compare flags a match.
    const got = ap.read(this.apAddr(a));
    if (ap.error !== null) {
      this.sticky |= F.STICKYERR.mask;
      return;
    }
    const lanes = (this.ctrl & F.MASKLANE.mask) >>> F.MASKLANE.lsb;
    let mask = 0;
    for (let i = 0; i < 4; i++) if (lanes & (1 << i)) mask |= 0xff << (8 * i);
    const equal = ((got ^ v) & mask) === 0;
    if ((mode === TRNMODE.PUSHED_VERIFY && !equal) || (mode === TRNMODE.PUSHED_COMPARE && equal)) this.sticky |= F.STICKYCMP.mask;
  }
}

/** DPIDR values of real parts. */
export const DPIDR_VALUES = {
  /** SW-DP v1 of Cortex-M3/M4 (ARM, PARTNO 0xBA, revision 2). */
  CORTEX_M3_M4_SWDP_V1: 0x2ba01477,
  /** SW-DP v2 of the CoreSight SoC-400 SWJ-DP found with Cortex-M7 (e.g. STM32F7). */
  SOC400_SWDP_V2: 0x5ba02477,
} as const;

export const dpVersion = (dpidr: number): number => (dpidr & DPIDR.fields.VERSION.mask) >>> DPIDR.fields.VERSION.lsb;
