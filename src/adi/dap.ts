// The Debug Access Port from the host: DP and AP register access over a DebugWire, with
// batching (a batch is one round trip), SELECT caching, WAIT retries with a limit,
// recovery from sticky errors (CTRL/STAT then ABORT), connection and power-up.
import { ABORT, CTRL_STAT, DP_ADDR, DP_BANK, DPIDR, SWJ } from '../arch/dp.js';
import { ones, bitsFromValue, type BlockStep, type DebugWire, type TransferRequest } from '../wire/debug-wire.js';
import { AdiError, TransferError } from './errors.js';

const CS = CTRL_STAT.fields;
const ABORT_ALL_STICKY = ABORT.encode({ ORUNERRCLR: 1, WDERRCLR: 1, STKERRCLR: 1, STKCMPCLR: 1 });

/**
 * Thrown by Dap.run/apBlock when WAIT interrupted AP work that cannot simply be resumed:
 * the caller sets up TAR again and retries (`completed` transfers of it are done).
 * Dap gives up (TransferError 'wait') after `waitRetryLimit` of these in a row.
 */
export class WaitRetry extends Error {
  constructor(readonly completed: number) {
    super('WAIT: retry the AP operation');
    this.name = 'WaitRetry';
  }
}

/** A queued read: its value is available after `Batch.run()`. */
export interface PendingRead {
  value: number;
}

interface Op {
  req: TransferRequest;
  read?: PendingRead;
  what: string;
}

/** Transfers collected for one round trip. */
export class Batch {
  readonly ops: Op[] = [];
  constructor(private readonly dap: Dap) {}

  /** Read a DP register; `bank` selects among the DPv2 registers at 0x4 (0: CTRL/STAT). */
  dpRead(addr: number, what = `DP read 0x${addr.toString(16)}`, bank = 0): PendingRead {
    const r = { value: 0 };
    this.dap.selectDpBank(this, addr, bank);
    this.ops.push({ req: { ap: false, read: true, addr }, read: r, what });
    return r;
  }

  dpWrite(addr: number, value: number, what = `DP write 0x${addr.toString(16)}`): this {
    this.dap.selectDpBank(this, addr, 0);
    this.ops.push({ req: { ap: false, read: false, addr, value: value >>> 0 }, what });
    return this;
  }

  apRead(apsel: number, reg: number, what = `AP${apsel} read 0x${reg.toString(16)}`): PendingRead {
    const r = { value: 0 };
    this.dap.selectAp(this, apsel, reg);
    this.ops.push({ req: { ap: true, read: true, addr: reg & 0xc }, read: r, what });
    return r;
  }

  apWrite(apsel: number, reg: number, value: number, what = `AP${apsel} write 0x${reg.toString(16)}`): this {
    this.dap.selectAp(this, apsel, reg);
    this.ops.push({ req: { ap: true, read: false, addr: reg & 0xc, value: value >>> 0 }, what });
    return this;
  }

  /** Raw SELECT write (used by the caching logic). */
  pushSelect(value: number): void {
    this.ops.push({ req: { ap: false, read: false, addr: DP_ADDR.SELECT, value }, what: 'DP SELECT write' });
  }

  run(): Promise<void> {
    return this.dap.run(this);
  }
}

export interface DapOptions {
  /** Times a batch is re-issued after the wire reports WAIT. */
  waitRetryLimit?: number;
  /** Reads of CTRL/STAT while waiting for the power-up acknowledge. */
  powerUpPolls?: number;
}

export class Dap {
  /** SELECT as the target has it, or undefined when unknown. */
  private select: number | undefined;
  /** SELECT as it will be once the batch being built has run. */
  private plannedSelect: number | undefined;
  dpidr = 0;
  readonly waitRetryLimit: number;
  readonly powerUpPolls: number;
  /** WAIT retries the wire does itself (DAP_TransferConfigure); raised when WAIT persists. */
  wireWaitRetries = 8;
  /** WaitRetry thrown in a row without a completed batch in between. */
  private waitStreak = 0;

  setWaitRetries(n: number): void {
    this.wireWaitRetries = n;
    this.wire.configure({ waitRetries: n });
  }

  /** Called after a recovery that may have changed AP state (MEM-AP caches drop their TAR/CSW). */
  onRecover: (() => void)[] = [];

  constructor(
    readonly wire: DebugWire,
    opts: DapOptions = {},
  ) {
    this.waitRetryLimit = opts.waitRetryLimit ?? 10;
    this.powerUpPolls = opts.powerUpPolls ?? 100;
  }

  private busy = false;
  private readonly waiting: (() => void)[] = [];

  /**
   * Run `fn` as the only user of this DAP until it finishes. Batches are planned from
   * cached state (SELECT here, CSW and TAR in the MEM-APs) and run later: two users
   * interleaving at their awaits would each plan against state the other is changing (a
   * read planned with TAR already right runs after another access moved TAR). MEM-AP
   * operations take this; whoever else shares a DAP between tasks should too.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // An async function that awaits `fn`: V8's async stack traces then still lead from a
    // failed access back to the script line that made it (a bare .then() hand-off cut them).
    if (this.busy) await new Promise<void>((r) => this.waiting.push(r));
    else this.busy = true;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // handed over: busy stays set
      else this.busy = false;
    }
  }

  get dpVersion(): number {
    return (this.dpidr & DPIDR.fields.VERSION.mask) >>> DPIDR.fields.VERSION.lsb;
  }

  batch(): Batch {
    this.plannedSelect = this.select;
    return new Batch(this);
  }

  selectAp(b: Batch, apsel: number, reg: number): void {
    const cur = this.plannedSelect;
    const dpbank = cur === undefined ? 0 : cur & 0xf;
    const want = ((apsel << 24) | (reg & 0xf0) | dpbank) >>> 0;
    if (cur !== want) {
      b.pushSelect(want);
      this.plannedSelect = want;
    }
  }

  selectDpBank(b: Batch, addr: number, bank: number): void {
    // Only 0x4 is banked (DPv2): CTRL/STAT, DLCR, TARGETID, DLPIDR, EVENTSTAT.
    if (addr !== 0x4 || this.dpVersion < 2) return;
    const cur = this.plannedSelect;
    if (cur !== undefined && (cur & 0xf) === bank) return;
    const want = (((cur ?? 0) & ~0xf) | bank) >>> 0;
    b.pushSelect(want);
    this.plannedSelect = want;
  }

  /** Read a banked DP register at 0x4 (DPv2): CTRL/STAT is bank 0. */
  async readDpBanked(bank: number): Promise<number> {
    const b = this.batch();
    const r = b.dpRead(0x4, `DP read bank ${bank} at 0x4`, bank);
    await b.run();
    return r.value;
  }

  /** Run a batch: one round trip, more only to retry after WAIT or to recover from errors. */
  async run(b: Batch): Promise<void> {
    let ops = b.ops;
    // An AP write is acknowledged before the access is done (a bus fault shows only in
    // the next packet): end with an RDBUFF read so the batch that wrote reports it, as a
    // CMSIS-DAP probe's firmware does for its own DAP_Transfers (wire.confirmsWrites).
    const last = ops[ops.length - 1];
    if (!this.wire.confirmsWrites && last && last.req.ap && !last.req.read) ops = [...ops, { req: { ap: false, read: true, addr: DP_ADDR.RDBUFF }, read: { value: 0 }, what: last.what }];
    for (;;) {
      // A wire that throws (a probe's link dropped) leaves the cached SELECT/CSW/TAR unknown.
      const res = await this.wire.transfer(ops.map((o) => o.req)).catch((e: unknown) => this.forgetAndThrow(e));
      // Account for what completed: read values and SELECT writes.
      let ri = 0;
      for (let i = 0; i < res.completed; i++) {
        const o = ops[i];
        if (o.read) o.read.value = res.reads[ri++] >>> 0;
        if (!o.req.ap && !o.req.read && o.req.addr === DP_ADDR.SELECT) this.select = o.req.value;
      }
      if (res.ack === 'ok') {
        this.waitStreak = 0;
        return;
      }
      // A probe that checks the last write itself reports its failure after all completed.
      const failed = ops[Math.min(res.completed, ops.length - 1)];
      if (res.ack === 'wait' && this.waitStreak++ < this.waitRetryLimit) {
        // Let the wire wait longer. DP-only work is simply resumed where it stopped; AP
        // work is not (a posted DRW read that met WAIT has already moved TAR), so the
        // caller rebuilds it from scratch (MemAccessPort does).
        this.setWaitRetries(Math.min(this.wireWaitRetries * 2 + 1, 4096));
        if (ops.slice(res.completed).some((o) => o.req.ap)) {
          this.invalidate();
          throw new WaitRetry(res.completed);
        }
        ops = ops.slice(res.completed);
        continue;
      }
      if (res.ack === 'wait') {
        this.waitStreak = 0;
        await this.wire.transfer([{ ap: false, read: false, addr: DP_ADDR.ABORT, value: ABORT.encode({ DAPABORT: 1 }) }]);
        this.invalidate();
        throw new TransferError(failed.what, 'wait');
      }
      if (res.ack === 'fault') {
        const cs = await this.clearSticky();
        throw new TransferError(failed.what, 'fault', cs);
      }
      // no-ack or parity error: the DP may be locked out; reconnect so the next call can work.
      this.invalidate();
      try {
        await this.lineResetAndId();
      } catch {
        // reported below
      }
      throw new TransferError(failed.what, res.ack);
    }
  }

  /**
   * `count` transfers to one AP register in one round trip (block reads of DRW): SELECT is
   * brought up to date first. WAIT is retried from where the block stopped; a FAULT is
   * recovered from and thrown. Returns the data read.
   */
  async apBlock(apsel: number, reg: number, count: number, data?: Uint32Array, what = `AP${apsel} block at 0x${reg.toString(16)}`): Promise<Uint32Array> {
    const b = this.batch();
    this.selectAp(b, apsel, reg);
    if (b.ops.length) await b.run();
    const read = data === undefined;
    const out = read ? new Uint32Array(count) : new Uint32Array(0);
    let done = 0;
    while (done < count) {
      const res = await this.wire
        .transferBlock({ ap: true, read, addr: reg & 0xc }, count - done, read ? undefined : data!.subarray(done))
        .catch((e: unknown) => this.forgetAndThrow(e));
      if (read) out.set(res.data.subarray(0, res.completed), done);
      done += res.completed;
      if (res.ack === 'ok') {
        this.waitStreak = 0;
        if (!read) await this.confirmWrites(what);
        break;
      }
      if (res.ack === 'wait' && this.waitStreak++ < this.waitRetryLimit) {
        this.setWaitRetries(Math.min(this.wireWaitRetries * 2 + 1, 4096));
        this.invalidate();
        throw new WaitRetry(done);
      }
      if (res.ack === 'wait') {
        this.waitStreak = 0;
        await this.wire.transfer([{ ap: false, read: false, addr: DP_ADDR.ABORT, value: ABORT.encode({ DAPABORT: 1 }) }]);
        this.invalidate();
        throw new TransferError(what, 'wait');
      }
      if (res.ack === 'fault') throw new TransferError(what, 'fault', await this.clearSticky());
      this.invalidate();
      throw new TransferError(what, res.ack);
    }
    return out;
  }

  /** Whether the wire takes several set-up-and-block steps in one call. */
  get multiBlock(): boolean {
    return typeof this.wire.transferBlocks === 'function';
  }

  /**
   * Blocks of transfers to one AP register, each after its own set-up writes (a TAR per
   * auto-increment range), in one wire call (DebugWire.transferBlocks): a probe keeps the
   * next set-up in flight behind a block. `b` holds the set-up writes of all steps (no
   * reads); step k's are b.ops[steps[k-1].opsEnd .. steps[k].opsEnd). Returns the words
   * read. WAIT: throws WaitRetry(words completed); other failures: TransferError, with
   * the words completed in `lastBlocksWords`.
   */
  async apBlocks(b: Batch, apsel: number, reg: number, read: boolean, steps: readonly { opsEnd: number; count: number; data?: Uint32Array }[], what: (step: number) => string): Promise<Uint32Array> {
    this.selectAp(b, apsel, reg);
    const ops = b.ops;
    let from = 0;
    const wireSteps: BlockStep[] = steps.map((s) => {
      const setup = ops.slice(from, s.opsEnd).map((o) => o.req);
      from = s.opsEnd;
      return { setup, req: { ap: true, read, addr: reg & 0xc }, count: s.count, data: s.data };
    });
    // A SELECT the last selectAp() planned after the final step's set-up goes with the first step.
    if (from < ops.length) (wireSteps[0].setup as TransferRequest[]).unshift(...ops.slice(from).map((o) => o.req));
    return this.runBlocks(wireSteps, what);
  }

  /**
   * Most words per independent step (SELECT, CSW and TAR written in each) for which the
   * wire keeps steps in flight; undefined when it has no such limit.
   */
  independentStepWords(read: boolean): number | undefined {
    return this.wire.blockStepWords?.(read, 3);
  }

  /** The SELECT value for an AP register, DP bank 0 (what this layer always leaves). */
  selectFor(apsel: number, reg: number): number {
    return ((apsel << 24) | (reg & 0xf0)) >>> 0;
  }

  /** Run transferBlocks steps; bookkeeping and errors as apBlocks(). */
  async runBlocks(wireSteps: BlockStep[], what: (step: number) => string): Promise<Uint32Array> {
    const res = await this.wire.transferBlocks!(wireSteps).catch((e: unknown) => this.forgetAndThrow(e));
    this.lastBlocksWords = res.words;
    const selects = (k: number) => {
      for (const r of wireSteps[k].setup) if (!r.ap && !r.read && r.addr === DP_ADDR.SELECT) this.select = r.value;
    };
    const okSteps = res.ack === 'ok' ? wireSteps.length : res.failedIn === 'block' ? res.done + 1 : res.done;
    for (let k = 0; k < okSteps; k++) selects(k);
    if (res.ack === 'ok') {
      this.waitStreak = 0;
      const lastStep = wireSteps[wireSteps.length - 1];
      if (lastStep && !lastStep.req.read && lastStep.count > 0) await this.confirmWrites(what(wireSteps.length - 1));
      return res.data;
    }
    if (res.failedIn === 'setup') this.select = undefined; // how far its SELECT/CSW/TAR writes got is not known
    const failed = what(res.done);
    if (res.ack === 'wait' && this.waitStreak++ < this.waitRetryLimit) {
      this.setWaitRetries(Math.min(this.wireWaitRetries * 2 + 1, 4096));
      this.invalidate();
      throw new WaitRetry(res.words);
    }
    if (res.ack === 'wait') {
      this.waitStreak = 0;
      await this.wire.transfer([{ ap: false, read: false, addr: DP_ADDR.ABORT, value: ABORT.encode({ DAPABORT: 1 }) }]);
      this.invalidate();
      throw new TransferError(failed, 'wait');
    }
    if (res.ack === 'fault') throw new TransferError(failed, 'fault', await this.clearSticky());
    this.invalidate();
    if (res.failedIn === 'setup') {
      try {
        await this.lineResetAndId();
      } catch {
        // reported below
      }
    }
    throw new TransferError(failed, res.ack);
  }

  /** The last AP write of a block went through: an RDBUFF read carries its outcome. */
  private async confirmWrites(what: string): Promise<void> {
    if (this.wire.confirmsWrites) return;
    const b = this.batch();
    b.ops.push({ req: { ap: false, read: true, addr: DP_ADDR.RDBUFF }, read: { value: 0 }, what });
    await this.run(b);
  }

  /** Words the last apBlocks() completed (also when it threw). */
  lastBlocksWords = 0;

  /** Read CTRL/STAT, clear the sticky flags with ABORT; returns CTRL/STAT as it was. */
  async clearSticky(): Promise<number> {
    // While a sticky flag is set only DPIDR/CTRL/STAT reads and ABORT writes are answered
    // (SELECT writes get FAULT), so CTRL/STAT is read with the DP bank we have: this layer
    // always leaves DPBANKSEL at 0.
    const select = this.select;
    const res = await this.wire.transfer([
      { ap: false, read: true, addr: DP_ADDR.CTRL_STAT },
      { ap: false, read: false, addr: DP_ADDR.ABORT, value: ABORT_ALL_STICKY },
    ]);
    this.invalidate();
    this.select = select;
    return res.reads[0] ?? 0;
  }

  private forgetAndThrow(e: unknown): never {
    this.invalidate();
    throw e;
  }

  /** Forget cached SELECT (after a reset, an error, or someone else using the wire). */
  invalidate(): void {
    this.select = undefined;
    this.plannedSelect = undefined;
    for (const f of this.onRecover) f();
  }

  async dpRead(addr: number): Promise<number> {
    const b = this.batch();
    const r = b.dpRead(addr);
    await b.run();
    return r.value;
  }

  async dpWrite(addr: number, value: number): Promise<void> {
    await this.batch().dpWrite(addr, value).run();
  }

  async apRead(apsel: number, reg: number): Promise<number> {
    const b = this.batch();
    const r = b.apRead(apsel, reg);
    await b.run();
    return r.value;
  }

  async apWrite(apsel: number, reg: number, value: number): Promise<void> {
    await this.batch().apWrite(apsel, reg, value).run();
  }

  /** Line reset, then read DPIDR (required first packet after a line reset). */
  async lineResetAndId(): Promise<number> {
    await this.wire.swjSequence(SWJ.LINE_RESET_BITS + 6, ones(SWJ.LINE_RESET_BITS + 6));
    await this.wire.swjSequence(8, new Uint8Array([0])); // idle cycles
    const res = await this.wire.transfer([{ ap: false, read: true, addr: DP_ADDR.DPIDR }]);
    if (res.ack !== 'ok') throw new TransferError('DPIDR read after a line reset', res.ack);
    this.dpidr = res.reads[0] >>> 0;
    this.invalidate();
    return this.dpidr;
  }

  /**
   * Connect over SWD: the JTAG-to-SWD switch (a line reset, 0xE79E, a line reset), then
   * DPIDR. If that gets no answer, try the dormant wake-up (selection alert + SWD activation).
   */
  async connect(): Promise<number> {
    const w = this.wire;
    w.configure({ waitRetries: this.wireWaitRetries });
    await w.swjSequence(56, ones(56));
    await w.swjSequence(16, bitsFromValue(SWJ.JTAG_TO_SWD, 16));
    try {
      return await this.lineResetAndId();
    } catch (e) {
      if (!(e instanceof TransferError) || e.ack !== 'no-ack') throw e;
    }
    // Dormant: at least 8 cycles high, the 128-bit alert, 4 cycles low, the SWD activation code.
    await w.swjSequence(8, ones(8));
    const alert = new Uint8Array(16);
    SWJ.SELECTION_ALERT.forEach((word, i) => alert.set(bitsFromValue(word, 32), 4 * i));
    await w.swjSequence(128, alert);
    await w.swjSequence(12, bitsFromValue(SWJ.ACTIVATION_SWD << 4, 12));
    try {
      return await this.lineResetAndId();
    } catch (e) {
      throw new AdiError(`no SW-DP answered on ${w.description}: ${(e as Error).message}; check the target's power and wiring`);
    }
  }

  /** Clear sticky errors and request debug and system power; wait for both acknowledges. */
  async powerUp(): Promise<void> {
    await this.clearSticky();
    const req = CS.CDBGPWRUPREQ.mask | CS.CSYSPWRUPREQ.mask;
    await this.batch().dpWrite(DP_ADDR.CTRL_STAT, req).run();
    const acks = CS.CDBGPWRUPACK.mask | CS.CSYSPWRUPACK.mask;
    for (let i = 0; i < this.powerUpPolls; i++) {
      const cs = await this.dpRead(DP_ADDR.CTRL_STAT);
      if ((cs & acks) === acks) return;
    }
    throw new AdiError(`debug power-up failed: CTRL/STAT never showed CDBGPWRUPACK and CSYSPWRUPACK on ${this.wire.description}; is the target held in reset or powered down?`);
  }

  /** Read the banked DPv2 identification registers. */
  async targetId(): Promise<{ targetid: number; dlpidr: number } | undefined> {
    if (this.dpVersion < 2) return undefined;
    const targetid = await this.readDpBanked(DP_BANK.TARGETID);
    const dlpidr = await this.readDpBanked(DP_BANK.DLPIDR);
    await this.readDpBanked(DP_BANK.CTRL_STAT); // leave bank 0 selected
    return { targetid, dlpidr };
  }
}
