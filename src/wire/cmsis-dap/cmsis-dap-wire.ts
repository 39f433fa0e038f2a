// A DebugWire driving any CMSIS-DAP probe: tsprobe as the CMSIS-DAP *host* (what OpenOCD
// and pyOCD are to a DAPLink). The DebugWire contract is close to DAP_Transfer by design:
// the probe firmware itself hides the SW-DP's posted AP reads and retries WAIT, and stops
// a transfer list at the first transfer that does not complete; so a DebugWire batch maps
// onto DAP_Transfer packets one for one, split only where the packet size forces it.
//
// - transfer(): split into as few DAP_Transfer packets as the packet size (and the 255
//   transfers a packet can hold) allows, sent one after the other: a later packet must not
//   run once an earlier one stopped (it may write SELECT or CSW).
// - transferBlock(): DAP_TransferBlock packets, up to the probe's packet count in flight.
//   After a failed packet the packets already sent still run on the probe; for FAULT the
//   sticky error makes them fault too, and the caller re-establishes TAR either way.
// - a response that does not come in time: DAP_TransferAbort, then the link is dropped
//   and reopened (with DAP_Connect and the settings again) on the next operation, so a
//   lost TCP connection or unplugged probe costs one failed operation, not the session.
import { Cmd, Cap, DAP_OK, Pin, Port, Resp, InfoId } from '../../dap/protocol.js';
import {
  WireError,
  type BatchResult,
  type BlockResult,
  type BlocksResult,
  type BlockStep,
  type DebugWire,
  type SwdSequenceStep,
  type SwoCapture,
  type SwoMode,
  type TransferAck,
  type TransferRequest,
  type WireOptions,
} from '../debug-wire.js';
import { readProbeInfo, type DapProbeInfo } from './probe-info.js';
import { DapSwoCapture } from './dap-swo.js';
import { TransportError, type DapTransport, type TransportOpener } from './transport.js';

export interface CmsisDapWireOptions {
  /** SWD clock (DAP_SWJ_Clock), Hz. */
  clockHz?: number;
  /** How long to wait for one response. */
  responseTimeoutMs?: number;
  /** WAIT retries and idle cycles (DAP_TransferConfigure). */
  waitRetries?: number;
  idleCycles?: number;
  /** Packets in flight at most (the probe's packet count caps it). */
  maxInFlight?: number;
  /**
   * On a network link to tsprobe's own CMSIS-DAP device: the packet size to ask for with
   * its vendor command 0x82 (0: keep the advertised size). Default NEGOTIATED_PACKET_SIZE,
   * or $TSPROBE_DAP_PACKET_SIZE.
   */
  negotiatePacketSize?: number;
  log?: (line: string) => void;
}

export const DEFAULT_CLOCK_HZ = 4_000_000;

/** tsprobe's vendor commands (src/dap/commands/general.ts): identification, packet size. */
const VENDOR_IDENTIFY = 0x80;
const VENDOR_PACKET_SIZE = 0x82;
/**
 * The packet size asked of a tsprobe device over TCP. Large enough that a gdb X packet
 * (~116 KB) is a handful of packets, small enough that several are in flight at once
 * (the device writes one while the next arrives).
 */
export const NEGOTIATED_PACKET_SIZE = 16384;

function packetSizeWanted(opts: CmsisDapWireOptions): number {
  if (opts.negotiatePacketSize !== undefined) return opts.negotiatePacketSize;
  const env = process.env.TSPROBE_DAP_PACKET_SIZE;
  if (env !== undefined && env !== '' && Number.isInteger(Number(env))) return Number(env);
  return NEGOTIATED_PACKET_SIZE;
}

/** Cortex-M DHCSR, for the running LED: its address and the bits the LED follows. */
const DHCSR_ADDR = 0xe000edf0;
const DHCSR_C_HALT = 1 << 1;
const DHCSR_C_STEP = 1 << 2;
const DHCSR_S_HALT = 1 << 17;

/** DAP_Transfer response ack (bits 2:0) to the DebugWire's names. */
function ackOf(resp: number): TransferAck {
  if (resp & Resp.ERROR) return 'parity-error';
  switch (resp & 7) {
    case Resp.OK: return 'ok';
    case Resp.WAIT: return 'wait';
    case Resp.FAULT: return 'fault';
    default: return 'no-ack';
  }
}

/** The ack of a transfer list that stopped: 'ok' there means the probe stopped short without a fault ('no-ack'). */
const stopAck = (ack: TransferAck): TransferAck => (ack === 'ok' ? 'no-ack' : ack);

/** Where transferBlocks stopped, as its result reports it. */
type StepFailure = Pick<BlocksResult, 'done' | 'ack' | 'failedIn' | 'setupDone'>;

/** Where each step's read words go in the joined result, and how many there are. */
function readOffsets(steps: readonly BlockStep[]): { atOf: number[]; total: number } {
  const atOf: number[] = [];
  let total = 0;
  for (const st of steps) {
    atOf.push(total);
    if (st.req.read) total += st.count;
  }
  return { atOf, total };
}

const u32le = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** The DAP_Transfer request byte of one transfer. */
function requestByte(t: { ap: boolean; read: boolean; addr: number }): number {
  return (t.ap ? 0x01 : 0) | (t.read ? 0x02 : 0) | (t.addr & 0x0c);
}

export class CmsisDapWire implements DebugWire {
  readonly description: string;
  /** The probe's firmware checks each DAP_Transfer's last write. */
  readonly confirmsWrites = true;
  /** Counters for benchmarks and tests. */
  readonly stats = { packets: 0, reconnects: 0, timeouts: 0 };
  private transport: DapTransport | null;
  private waitRetries: number;
  private idleCycles: number;
  private clockHz: number;
  private configDirty = false;
  /**
   * The packet size the device granted through tsprobe's vendor extension (then the
   * device is tsprobe's and takes DAP_ExecuteCommands packets); null: the advertised one.
   */
  private granted: number | null = null;
  /** The probe's SWO input, when DAP_Info says it has one (UART or Manchester). */
  readonly swo: SwoCapture | undefined;
  /** Serialises operations: one command stream, whoever calls. */
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    transport: DapTransport,
    readonly info: DapProbeInfo,
    private readonly reopen: TransportOpener | null,
    private readonly opts: CmsisDapWireOptions,
  ) {
    this.transport = transport;
    this.description = `cmsis-dap:${transport.description}`;
    this.waitRetries = opts.waitRetries ?? 100;
    this.idleCycles = opts.idleCycles ?? 0;
    this.clockHz = opts.clockHz ?? DEFAULT_CLOCK_HZ;
    const modes: SwoMode[] = [];
    if (info.capabilities & Cap.SWO_UART) modes.push('uart');
    if (info.capabilities & Cap.SWO_MANCHESTER) modes.push('manchester');
    this.swo = modes.length
      ? new DapSwoCapture((req) => this.run((t) => this.command(t, req)), modes, info.swoBufferSize ?? 0, () => this.packetSize, this.description)
      : undefined;
  }

  /** Open a transport with `opener`, discover the probe and connect it in SWD mode. */
  static async open(opener: TransportOpener, opts: CmsisDapWireOptions = {}): Promise<CmsisDapWire> {
    const transport = await opener();
    try {
      const info = await readProbeInfo((req) => roundTrip(transport, req, opts.responseTimeoutMs ?? 5000));
      if (info.capabilities && !(info.capabilities & Cap.SWD)) {
        throw new WireError(`CMSIS-DAP probe ${transport.description} (${info.product || 'unnamed'}) does not support SWD; tsprobe drives targets over SWD only`);
      }
      const wire = new CmsisDapWire(transport, info, opener, opts);
      await wire.setup(transport);
      return wire;
    } catch (e) {
      await transport.close().catch(() => undefined);
      throw e instanceof TransportError ? new WireError(e.message) : e;
    }
  }

  /** Packet size used: the probe's, capped by the transport's. */
  get packetSize(): number {
    return Math.min(this.granted ?? this.info.packetSize, this.transport?.maxPacketSize ?? Infinity);
  }

  /** Whether the device granted a negotiated packet size (tsprobe's own device). */
  get negotiated(): boolean {
    return this.granted !== null;
  }

  get packetCount(): number {
    return Math.max(1, Math.min(this.info.packetCount, this.opts.maxInFlight ?? 255));
  }

  private get timeoutMs(): number {
    return this.opts.responseTimeoutMs ?? 5000;
  }

  /** Connect in SWD mode and apply clock and transfer settings (also after a reconnect). */
  private async setup(t: DapTransport): Promise<void> {
    const connect = await roundTrip(t, Uint8Array.of(Cmd.Connect, Port.SWD), this.timeoutMs);
    if (connect[1] !== Port.SWD) throw new WireError(`CMSIS-DAP probe ${t.description}: DAP_Connect in SWD mode failed (answered port ${connect[1]})`);
    await this.checkStatus(t, clockRequest(this.clockHz), 'DAP_SWJ_Clock');
    await this.checkStatus(t, this.configureRequest(), 'DAP_TransferConfigure');
    await this.checkStatus(t, Uint8Array.of(Cmd.SwdConfigure, 0), 'DAP_SWD_Configure');
    // The "connected" LED; probes without LEDs answer OK all the same.
    await roundTrip(t, Uint8Array.of(Cmd.HostStatus, 0, 1), this.timeoutMs);
    this.configDirty = false;
    this.granted = await this.negotiatePacketSize(t);
  }

  /**
   * Over a network link to tsprobe's own device, ask for larger packets (vendor command
   * 0x82, after 0x80 names the device as tsprobe). A USB probe, or a device that answers
   * otherwise, keeps its advertised size. Asked again on every (re)connect: the grant
   * belongs to the connection.
   */
  private async negotiatePacketSize(t: DapTransport): Promise<number | null> {
    const wanted = Math.min(0xffff, packetSizeWanted(this.opts));
    if (!t.network || wanted <= this.info.packetSize) return null;
    const id = await roundTrip(t, Uint8Array.of(VENDOR_IDENTIFY), this.timeoutMs).catch(() => null);
    if (!id || id.length < 2 || !Buffer.from(id.subarray(2, 2 + id[1])).toString('latin1').startsWith('tsprobe ')) return null;
    const resp = await roundTrip(t, Uint8Array.of(VENDOR_PACKET_SIZE, wanted & 0xff, wanted >>> 8), this.timeoutMs);
    if (resp.length < 4 || resp[1] !== DAP_OK) return null;
    const size = resp[2] | (resp[3] << 8);
    if (size < 64) return null;
    return size;
  }

  private configureRequest(): Uint8Array {
    const r = Math.min(this.waitRetries, 0xffff);
    return Uint8Array.of(Cmd.TransferConfigure, Math.min(this.idleCycles, 255), r & 0xff, r >>> 8, 0, 0);
  }

  private async checkStatus(t: DapTransport, req: Uint8Array, what: string): Promise<void> {
    const resp = await roundTrip(t, req, this.timeoutMs);
    if (resp[1] !== DAP_OK) throw new WireError(`CMSIS-DAP probe ${t.description}: ${what} failed (status 0x${resp[1].toString(16)})`);
  }

  /**
   * Run `fn` with the transport, one operation at a time. A link failure drops the
   * transport (after a DAP_TransferAbort attempt) and becomes a WireError naming it; the
   * next operation reconnects.
   */
  private run<T>(fn: (t: DapTransport) => Promise<T>): Promise<T> {
    const go = async (): Promise<T> => {
      if (this.closed) throw new WireError(`${this.description}: the wire is closed`);
      let t = this.transport;
      if (!t) {
        if (!this.reopen) throw new WireError(`${this.description}: the link to the probe is down`);
        try {
          t = await this.reopen();
          await this.setup(t);
        } catch (e) {
          await t?.close().catch(() => undefined);
          throw new WireError(`${this.description}: reconnecting failed: ${(e as Error).message}`);
        }
        this.transport = t;
        this.stats.reconnects++;
        this.opts.log?.(`${this.description}: reconnected`);
      }
      if (this.configDirty) await this.checkStatus(t, this.configureRequest(), 'DAP_TransferConfigure');
      this.configDirty = false;
      try {
        return await fn(t);
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        if (/within \d+ ms/.test(e.message)) {
          this.stats.timeouts++;
          await t.send(Uint8Array.of(Cmd.TransferAbort)).catch(() => undefined);
        }
        this.transport = null;
        await t.close().catch(() => undefined);
        throw new WireError(`${e.message}; the next operation reconnects`);
      }
    };
    const p = this.lock.then(go, go);
    this.lock = p.catch(() => undefined);
    return p;
  }

  private async command(t: DapTransport, req: Uint8Array): Promise<Uint8Array> {
    this.stats.packets++;
    return roundTrip(t, req, this.timeoutMs);
  }

  configure(opts: WireOptions): void {
    if (opts.waitRetries !== undefined) this.waitRetries = opts.waitRetries;
    if (opts.idleCycles !== undefined) this.idleCycles = opts.idleCycles;
    this.configDirty = true;
  }

  transfer(batch: readonly TransferRequest[]): Promise<BatchResult> {
    return this.run(async (t) => {
      const reads: number[] = [];
      let completed = 0;
      let i = 0;
      const size = this.packetSize;
      while (i < batch.length) {
        // As many transfers as fit both the request and the response into one packet.
        let reqBytes = 3;
        let respBytes = 3;
        let n = 0;
        while (i + n < batch.length && n < 255) {
          const x = batch[i + n];
          const rq = 1 + (x.read ? 0 : 4);
          const rs = x.read ? 4 : 0;
          if (reqBytes + rq > size || respBytes + rs > size) break;
          reqBytes += rq;
          respBytes += rs;
          n++;
        }
        const req = new Uint8Array(reqBytes);
        req[0] = Cmd.Transfer;
        req[1] = 0; // DAP index (JTAG only)
        req[2] = n;
        let o = 3;
        for (let k = 0; k < n; k++) {
          const x = batch[i + k];
          req[o++] = requestByte(x);
          if (!x.read) {
            putU32(req, o, (x.value ?? 0) >>> 0);
            o += 4;
          }
        }
        const resp = await this.command(t, req);
        if (resp[0] !== Cmd.Transfer || resp.length < 3) throw this.outOfStep('DAP_Transfer', resp);
        const done = resp[1];
        if (resp[2] & Resp.MISMATCH) throw new WireError(`${this.description}: DAP_Transfer reported a value mismatch, but tsprobe sent no match reads`);
        let readsDone = 0;
        for (let k = 0; k < done; k++) if (batch[i + k].read) readsDone++;
        if (resp.length < 3 + 4 * readsDone) throw this.outOfStep('DAP_Transfer', resp);
        for (let k = 0; k < readsDone; k++) reads.push(u32le(resp, 3 + 4 * k));
        completed += done;
        const ack = ackOf(resp[2]);
        if (done < n || ack !== 'ok') {
          await this.runLed(t, batch, completed, reads);
          return { completed, ack: stopAck(ack), reads };
        }
        i += n;
      }
      await this.runLed(t, batch, completed, reads);
      return { completed, ack: 'ok' as const, reads };
    });
  }

  /**
   * The "target running" LED (DAP_HostStatus type 1), from what the host does anyway: a
   * DHCSR write with DBGKEY that neither halts nor steps starts the core (LED on); a
   * C_HALT write, or a DHCSR read showing S_HALT, means it is halted (LED off). DHCSR is
   * found through the MEM-AP's TAR (DRW) and banked registers (BD0-BD3) as written in
   * DAP_Transfer; block transfers make TAR unknown until it is written again. One
   * HostStatus packet per change of state.
   */
  private async runLed(t: DapTransport, batch: readonly TransferRequest[], completed: number, reads: number[]): Promise<void> {
    const sn = this.snoop;
    let want: boolean | null = null;
    let ri = 0;
    for (let k = 0; k < completed; k++) {
      const x = batch[k];
      if (!x.ap) {
        if (!x.read && x.addr === 0x8) sn.select = (x.value ?? 0) >>> 0;
        else if (x.read) ri++;
        continue;
      }
      const reg = (sn.select & 0xf0) | x.addr;
      const value = x.read ? reads[ri++] : (x.value ?? 0) >>> 0;
      if (reg === 0x04) {
        sn.tar = value;
        continue;
      }
      if (reg === 0x00) {
        if (!x.read) sn.wordInc = (value & 0x37) === 0x12; // word size, single increment
        continue;
      }
      let addr: number | undefined;
      if (reg === 0x0c) {
        addr = sn.tar;
        if (sn.tar !== undefined) sn.tar = sn.wordInc ? (sn.tar + 4) >>> 0 : undefined;
      } else if (reg >= 0x10 && reg <= 0x1c && sn.tar !== undefined) addr = ((sn.tar & ~0xf) | (reg & 0xc)) >>> 0;
      if (addr !== DHCSR_ADDR) continue;
      if (x.read) {
        if (value & DHCSR_S_HALT) want = false;
      } else if (value >>> 16 === 0xa05f) want = (value & (DHCSR_C_HALT | DHCSR_C_STEP)) === 0;
    }
    if (want === null || want === this.ledRunning) return;
    this.ledRunning = want;
    this.stats.packets++;
    await roundTrip(t, Uint8Array.of(Cmd.HostStatus, 1, want ? 1 : 0), this.timeoutMs);
  }

  /** What runLed knows of the MEM-AP: SELECT, TAR (undefined: unknown) and whether DRW steps TAR by a word. */
  private readonly snoop: { select: number; tar: number | undefined; wordInc: boolean } = { select: 0, tar: undefined, wordInc: false };
  /** The running LED as last sent. */
  private ledRunning = false;

  transferBlock(req: { ap: boolean; read: boolean; addr: number }, count: number, data?: Uint32Array): Promise<BlockResult> {
    if (!req.read && (!data || data.length < count)) throw new WireError(`transferBlock: ${count} writes need ${count} data words`);
    this.snoop.tar = undefined; // a DRW block moves TAR
    return this.run(async (t) => {
      const out = new Uint32Array(req.read ? count : 0);
      const per = Math.max(1, Math.min(0xffff, Math.floor((this.packetSize - (req.read ? 4 : 5)) / 4)));
      const chunks: { start: number; n: number }[] = [];
      for (let s = 0; s < count; s += per) chunks.push({ start: s, n: Math.min(per, count - s) });
      const rb = requestByte(req);
      let sent = 0;
      let received = 0;
      let completed = 0;
      let failure: TransferAck | null = null;
      while (received < chunks.length) {
        // Keep up to packetCount packets in flight, unless a packet already failed.
        while (failure === null && sent < chunks.length && sent - received < this.packetCount) {
          const c = chunks[sent++];
          const p = new Uint8Array(req.read ? 5 : 5 + 4 * c.n);
          p[0] = Cmd.TransferBlock;
          p[1] = 0;
          p[2] = c.n & 0xff;
          p[3] = c.n >>> 8;
          p[4] = rb;
          if (!req.read) putWords(p, 5, data!, c.start, c.n);
          this.stats.packets++;
          await t.send(p);
        }
        if (received >= sent) break;
        const c = chunks[received++];
        const resp = await t.receive(this.timeoutMs);
        if (failure !== null) continue; // drained: sent before the failure was seen
        if (resp[0] !== Cmd.TransferBlock || resp.length < 4) throw this.outOfStep('DAP_TransferBlock', resp);
        const done = resp[1] | (resp[2] << 8);
        const ack = ackOf(resp[3]);
        if (req.read) {
          if (resp.length < 4 + 4 * done) throw this.outOfStep('DAP_TransferBlock', resp);
          getWords(resp, 4, out, c.start, done);
        }
        completed += done;
        if (done < c.n || ack !== 'ok') failure = stopAck(ack);
      }
      return { completed, ack: failure ?? 'ok', data: out };
    });
  }

  /** Words of an independent step that fit one DAP_Transfer with its set-up (request, response, 255 transfers). */
  blockStepWords(read: boolean, setupWrites: number): number {
    const size = this.packetSize;
    const byRequest = Math.floor((size - 3 - 5 * setupWrites) / (read ? 1 : 5));
    const byResponse = read ? Math.floor((size - 3) / 4) : Infinity;
    return Math.max(1, Math.min(255 - setupWrites, byRequest, byResponse));
  }

  /**
   * Set-up-and-block steps with packets in flight: a step's DAP_TransferBlock packets go
   * out once its set-up DAP_Transfer has answered OK, and the next step's set-up (register
   * writes only) goes out right behind them, so a step costs one round trip, not two.
   * Independent steps that fit one packet each go as independentSteps().
   */
  transferBlocks(steps: readonly BlockStep[]): Promise<BlocksResult> {
    for (const st of steps) {
      if (!st.req.read && (!st.data || st.data.length < st.count)) throw new WireError(`transferBlocks: ${st.count} writes need ${st.count} data words`);
      if (st.setup.some((r) => r.read)) throw new WireError('transferBlocks: a set-up holds register writes only');
    }
    this.snoop.tar = undefined;
    for (const st of steps) for (const r of st.setup) if (!r.ap && r.addr === 0x8) this.snoop.select = (r.value ?? 0) >>> 0;
    if (steps.length > 0 && steps.every((st) => st.independent && st.count >= 1 && st.count <= this.blockStepWords(st.req.read, st.setup.length))) {
      return this.run((t) => this.independentSteps(t, steps));
    }
    return this.run(async (t) => {
      const { atOf, total } = readOffsets(steps);
      const out = new Uint32Array(total);
      const size = this.packetSize;
      const per = (read: boolean) => Math.max(1, Math.min(0xffff, Math.floor((size - (read ? 4 : 5)) / 4)));
      const big = steps.find((st) => 3 + 5 * st.setup.length > size || st.setup.length > 255);
      if (big) throw new WireError(`${this.description}: a transferBlocks set-up of ${big.setup.length} writes does not fit a ${size}-byte packet`);
      type Sent = { kind: 'setup'; step: number; n: number } | { kind: 'block'; step: number; start: number; n: number; at: number };
      const queue: Sent[] = []; // ready to send, in order
      const inFlight: Sent[] = [];
      const queueBlock = (k: number) => {
        const st = steps[k];
        const p = per(st.req.read);
        for (let s = 0; s < st.count; s += p) queue.push({ kind: 'block', step: k, start: s, n: Math.min(p, st.count - s), at: atOf[k] + s });
        if (k + 1 < steps.length) queueSetupOrBlock(k + 1);
      };
      const queueSetupOrBlock = (k: number) => {
        if (steps[k].setup.length) queue.push({ kind: 'setup', step: k, n: steps[k].setup.length });
        else queueBlock(k); // nothing to wait for (TAR already right)
      };
      queueSetupOrBlock(0);
      let words = 0;
      let done = 0;
      let failure: StepFailure | null = null;
      const blockWords = new Array<number>(steps.length).fill(0);
      while (queue.length || inFlight.length) {
        while (failure === null && queue.length && inFlight.length < this.packetCount) {
          const x = queue.shift()!;
          const st = steps[x.step];
          this.stats.packets++;
          await t.send(x.kind === 'setup' ? transferRequest(st.setup) : blockRequest(st, x.start, x.n));
          inFlight.push(x);
        }
        if (!inFlight.length) break;
        const x = inFlight.shift()!;
        const resp = await t.receive(this.timeoutMs);
        if (failure !== null) continue; // drained: sent before the failure was seen
        if (x.kind === 'setup') {
          if (resp[0] !== Cmd.Transfer || resp.length < 3) throw this.outOfStep('DAP_Transfer', resp);
          const ack = ackOf(resp[2]);
          if (resp[1] < x.n || ack !== 'ok') {
            failure = { done: x.step, ack: stopAck(ack), failedIn: 'setup', setupDone: Math.min(resp[1], x.n) };
            continue;
          }
          queueBlock(x.step);
          continue;
        }
        if (resp[0] !== Cmd.TransferBlock || resp.length < 4) throw this.outOfStep('DAP_TransferBlock', resp);
        const n = resp[1] | (resp[2] << 8);
        const ack = ackOf(resp[3]);
        if (steps[x.step].req.read) {
          if (resp.length < 4 + 4 * n) throw this.outOfStep('DAP_TransferBlock', resp);
          getWords(resp, 4, out, x.at, n);
        }
        words += n;
        blockWords[x.step] += n;
        if (n < x.n || ack !== 'ok') {
          failure = { done: x.step, ack: stopAck(ack), failedIn: 'block' };
          continue;
        }
        if (blockWords[x.step] === steps[x.step].count) done = x.step + 1;
      }
      if (failure) return { ...failure, words, data: out };
      return { done: steps.length, ack: 'ok' as const, words, data: out };
    });
  }

  /**
   * Independent steps, each one DAP_Transfer (its SELECT/CSW/TAR writes, then the block's
   * transfers), up to packetCount packets in flight. The probe stops a DAP_Transfer at its
   * first failing transfer, so a step never runs its block without its set-up; a later step
   * sets up its own TAR, so it may run after an earlier one failed (reported: the first).
   * On tsprobe's own device with negotiated large packets, consecutive steps share one
   * DAP_ExecuteCommands packet (same rule: each DAP_Transfer stops on its own).
   */
  private async independentSteps(t: DapTransport, steps: readonly BlockStep[]): Promise<BlocksResult> {
    const { atOf, total } = readOffsets(steps);
    const packets = this.groupSteps(steps);
    const out = new Uint32Array(total);
    let sent = 0;
    let received = 0;
    let words = 0;
    let failure: StepFailure | null = null;
    while (received < packets.length) {
      while (failure === null && sent < packets.length && sent - received < this.packetCount) {
        this.stats.packets++;
        await t.send(stepsRequest(steps, packets[sent++]));
      }
      if (received >= sent) break;
      const g = packets[received++];
      const resp = await t.receive(this.timeoutMs);
      if (failure !== null) continue; // sent before the failure was seen
      const many = g.to - g.from > 1;
      let o = 0;
      let answered = 1;
      if (many) {
        if (resp[0] !== Cmd.ExecuteCommands || resp.length < 2) throw this.outOfStep('DAP_ExecuteCommands', resp);
        answered = resp[1];
        o = 2;
      }
      for (let k = g.from; k < g.to; k++) {
        if (k - g.from >= answered) {
          failure = { done: k, ack: 'no-ack', failedIn: 'setup', setupDone: 0 }; // the device gave up on this command
          break;
        }
        if (resp[o] !== Cmd.Transfer || resp.length < o + 3) throw this.outOfStep('DAP_Transfer', resp);
        const st = steps[k];
        const s = st.setup.length;
        const done = resp[o + 1];
        const blockDone = Math.max(0, done - s);
        const ack = ackOf(resp[o + 2]);
        o += 3;
        if (st.req.read) {
          if (resp.length < o + 4 * blockDone) throw this.outOfStep('DAP_Transfer', resp);
          getWords(resp, o, out, atOf[k], blockDone);
          o += 4 * blockDone;
        }
        words += blockDone;
        if (done < s + st.count || ack !== 'ok') {
          failure = done < s ? { done: k, ack: stopAck(ack), failedIn: 'setup', setupDone: done } : { done: k, ack: stopAck(ack), failedIn: 'block' };
          break;
        }
      }
    }
    if (failure) return { ...failure, words, data: out };
    return { done: steps.length, ack: 'ok', words, data: out };
  }

  /**
   * Steps per packet: one each, or on a tsprobe device with negotiated packets as many
   * consecutive steps as fit one DAP_ExecuteCommands (request and response, 255 commands).
   */
  private groupSteps(steps: readonly BlockStep[]): { from: number; to: number }[] {
    const groups: { from: number; to: number }[] = [];
    if (!this.negotiated) {
      for (let k = 0; k < steps.length; k++) groups.push({ from: k, to: k + 1 });
      return groups;
    }
    const size = this.packetSize;
    let k = 0;
    while (k < steps.length) {
      let req = 2;
      let resp = 2;
      let to = k;
      while (to < steps.length && to - k < 255) {
        const st = steps[to];
        const rq = stepRequestBytes(st);
        const rs = 3 + (st.req.read ? 4 * st.count : 0);
        if (to > k && (req + rq > size || resp + rs > size)) break;
        req += rq;
        resp += rs;
        to++;
      }
      groups.push({ from: k, to });
      k = to;
    }
    return groups;
  }

  swjSequence(bits: number, data: Uint8Array): Promise<void> {
    return this.run(async (t) => {
      for (let done = 0; done < bits; done += 256) {
        const n = Math.min(256, bits - done);
        const bytes = new Uint8Array((n + 7) >>> 3);
        for (let k = 0; k < n; k++) if ((data[(done + k) >>> 3] >>> ((done + k) & 7)) & 1) bytes[k >>> 3] |= 1 << (k & 7);
        const resp = await this.command(t, Uint8Array.of(Cmd.SwjSequence, n & 0xff, ...bytes));
        if (resp[0] !== Cmd.SwjSequence) throw this.outOfStep('DAP_SWJ_Sequence', resp);
        if (resp[1] !== DAP_OK) throw new WireError(`${this.description}: DAP_SWJ_Sequence of ${n} bits failed`);
      }
    });
  }

  swdSequence(steps: readonly SwdSequenceStep[]): Promise<Uint8Array[]> {
    return this.run(async (t) => {
      // DAP_SWD_Sequence carries at most 64 bits per step: longer steps are split, and
      // their captures joined again.
      const parts: { capture: boolean; bits: number; out?: Uint8Array; of: number; at: number }[] = [];
      steps.forEach((s, idx) => {
        for (let at = 0; at < s.bits; at += 64) {
          const n = Math.min(64, s.bits - at);
          if ('capture' in s) parts.push({ capture: true, bits: n, of: idx, at });
          else parts.push({ capture: false, bits: n, out: sliceBits(s.out, at, n), of: idx, at });
        }
      });
      const result = steps.map((s) => new Uint8Array((s.bits + 7) >>> 3));
      let i = 0;
      while (i < parts.length) {
        let reqBytes = 2;
        let respBytes = 2;
        let n = 0;
        while (i + n < parts.length && n < 255) {
          const p = parts[i + n];
          const bytes = (p.bits + 7) >>> 3;
          const rq = 1 + (p.capture ? 0 : bytes);
          const rs = p.capture ? bytes : 0;
          if (n > 0 && (reqBytes + rq > this.packetSize || respBytes + rs > this.packetSize)) break;
          reqBytes += rq;
          respBytes += rs;
          n++;
        }
        const req = new Uint8Array(reqBytes);
        req[0] = Cmd.SwdSequence;
        req[1] = n;
        let o = 2;
        for (let k = 0; k < n; k++) {
          const p = parts[i + k];
          req[o++] = (p.bits & 0x3f) | (p.capture ? 0x80 : 0);
          if (!p.capture) {
            req.set(p.out!, o);
            o += p.out!.length;
          }
        }
        const resp = await this.command(t, req);
        if (resp[0] !== Cmd.SwdSequence) throw this.outOfStep('DAP_SWD_Sequence', resp);
        if (resp[1] !== DAP_OK) throw new WireError(`${this.description}: DAP_SWD_Sequence failed (the probe may not support it: CMSIS-DAP 1.2 and later)`);
        let r = 2;
        for (let k = 0; k < n; k++) {
          const p = parts[i + k];
          if (!p.capture) continue;
          const bytes = (p.bits + 7) >>> 3;
          for (let b = 0; b < p.bits; b++) {
            if ((resp[r + (b >>> 3)] >>> (b & 7)) & 1) result[p.of][(p.at + b) >>> 3] |= 1 << ((p.at + b) & 7);
          }
          r += bytes;
        }
        i += n;
      }
      return steps.flatMap((s, idx) => ('capture' in s ? [result[idx]] : []));
    });
  }

  setReset(asserted: boolean): Promise<void> {
    return this.run(async (t) => {
      // nRESET is active low: asserted drives it 0. No wait for the pin to settle.
      const resp = await this.command(t, Uint8Array.of(Cmd.SwjPins, asserted ? 0 : Pin.nRESET, Pin.nRESET, 0, 0, 0, 0));
      if (resp[0] !== Cmd.SwjPins) throw this.outOfStep('DAP_SWJ_Pins', resp);
    });
  }

  setClock(hz: number): Promise<void> {
    return this.run(async (t) => {
      this.clockHz = hz >>> 0;
      const resp = await this.command(t, clockRequest(this.clockHz));
      if (resp[1] !== DAP_OK) throw new WireError(`${this.description}: the probe refused an SWD clock of ${hz} Hz (DAP_SWJ_Clock)`);
    });
  }

  /** The "target running" LED (DAP_HostStatus). */
  setRunningLed(on: boolean): Promise<void> {
    return this.run(async (t) => {
      await this.command(t, Uint8Array.of(Cmd.HostStatus, 1, on ? 1 : 0));
    });
  }

  /** Ask one DAP_Info item again (e.g. for `tsprobe list`). */
  infoItem(id: number): Promise<Uint8Array> {
    return this.run((t) => this.command(t, Uint8Array.of(Cmd.Info, id)));
  }

  /** LEDs off and DAP_Disconnect, then the transport closes. Errors on the way are ignored: the link may be gone. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock;
    this.closed = true;
    const t = this.transport;
    this.transport = null;
    if (!t) return;
    try {
      if (this.ledRunning) await roundTrip(t, Uint8Array.of(Cmd.HostStatus, 1, 0), 1000);
      await roundTrip(t, Uint8Array.of(Cmd.HostStatus, 0, 0), 1000);
      await roundTrip(t, Uint8Array.of(Cmd.Disconnect), 1000);
    } catch {
      // the link is already down: nothing to say goodbye to
    }
    await t.close().catch(() => undefined);
  }

  private outOfStep(what: string, resp: Uint8Array): WireError {
    // The response stream no longer matches the requests: drop the link, reconnect next time.
    const t = this.transport;
    this.transport = null;
    void t?.close().catch(() => undefined);
    const head = Array.from(resp.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return new WireError(`${this.description}: unexpected answer to ${what} (${head || 'empty'}); the link is reset`);
  }
}

/** DAP_Transfer of register writes (a transferBlocks set-up). */
function transferRequest(writes: readonly TransferRequest[]): Uint8Array {
  const p = new Uint8Array(3 + 5 * writes.length);
  p[0] = Cmd.Transfer;
  p[2] = writes.length;
  let o = 3;
  for (const w of writes) {
    p[o] = requestByte(w);
    putU32(p, o + 1, (w.value ?? 0) >>> 0);
    o += 5;
  }
  return p;
}

/** Bytes of the DAP_Transfer for an independent step: its set-up writes, then its block's transfers. */
function stepRequestBytes(st: BlockStep): number {
  return 3 + 5 * st.setup.length + (st.req.read ? st.count : 5 * st.count);
}

/** The packet for steps [g.from, g.to): one DAP_Transfer, or several in a DAP_ExecuteCommands. */
function stepsRequest(steps: readonly BlockStep[], g: { from: number; to: number }): Uint8Array {
  const many = g.to - g.from > 1;
  let bytes = many ? 2 : 0;
  for (let k = g.from; k < g.to; k++) bytes += stepRequestBytes(steps[k]);
  // From Node's buffer pool: a fresh ArrayBuffer per packet costs more than filling it. Every byte is written below.
  const p: Uint8Array = Buffer.allocUnsafe(bytes);
  let o = 0;
  if (many) {
    p[0] = Cmd.ExecuteCommands;
    p[1] = g.to - g.from;
    o = 2;
  }
  for (let k = g.from; k < g.to; k++) o = putStep(p, o, steps[k]);
  return p;
}

/** One step's DAP_Transfer at p[o..]; returns where it ends. */
function putStep(p: Uint8Array, o: number, st: BlockStep): number {
  const s = st.setup.length;
  p[o] = Cmd.Transfer;
  p[o + 1] = 0;
  p[o + 2] = s + st.count;
  o += 3;
  for (const w of st.setup) {
    p[o] = requestByte(w);
    putU32(p, o + 1, (w.value ?? 0) >>> 0);
    o += 5;
  }
  const rb = requestByte(st.req);
  if (st.req.read) {
    p.fill(rb, o, o + st.count);
    return o + st.count;
  }
  const d = st.data!;
  for (let i = 0; i < st.count; i++) {
    p[o] = rb;
    putU32(p, o + 1, d[i]);
    o += 5;
  }
  return o;
}

/** DAP_TransferBlock of `n` transfers from word `start` of a step. */
function blockRequest(st: BlockStep, start: number, n: number): Uint8Array {
  const read = st.req.read;
  const p = new Uint8Array(read ? 5 : 5 + 4 * n);
  p[0] = Cmd.TransferBlock;
  p[2] = n & 0xff;
  p[3] = n >>> 8;
  p[4] = requestByte(st.req);
  if (!read) putWords(p, 5, st.data!, start, n);
  return p;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** n words into packet bytes at `o` (little-endian): one copy on a little-endian host. */
function putWords(p: Uint8Array, o: number, words: Uint32Array, from: number, n: number): void {
  if (LITTLE_ENDIAN_HOST) {
    p.set(new Uint8Array(words.buffer, words.byteOffset + 4 * from, 4 * n), o);
    return;
  }
  for (let k = 0; k < n; k++) putU32(p, o + 4 * k, words[from + k]);
}

/** n little-endian words from packet bytes at `o` into out[at..]. */
function getWords(p: Uint8Array, o: number, out: Uint32Array, at: number, n: number): void {
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer, out.byteOffset + 4 * at, 4 * n).set(p.subarray(o, o + 4 * n));
    return;
  }
  for (let k = 0; k < n; k++) out[at + k] = u32le(p, o + 4 * k);
}

function clockRequest(hz: number): Uint8Array {
  const p = new Uint8Array(5);
  p[0] = Cmd.SwjClock;
  putU32(p, 1, hz >>> 0);
  return p;
}

function sliceBits(src: Uint8Array, at: number, n: number): Uint8Array {
  const out = new Uint8Array((n + 7) >>> 3);
  for (let k = 0; k < n; k++) if ((src[(at + k) >>> 3] >>> ((at + k) & 7)) & 1) out[k >>> 3] |= 1 << (k & 7);
  return out;
}

/** Send one command and wait for its response (used before the wire exists, and on close). */
async function roundTrip(t: DapTransport, req: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  await t.send(req);
  const resp = await t.receive(timeoutMs);
  if (resp.length === 0 || resp[0] !== req[0]) {
    throw new TransportError(`CMSIS-DAP probe ${t.description}: answer to command 0x${req[0].toString(16)} began with 0x${(resp[0] ?? 0).toString(16)} (out of step)`);
  }
  return resp;
}

export { InfoId };
