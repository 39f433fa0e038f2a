// One gdb client: the meaning of each packet, on top of RspConnection's framing.
// Packets are handled strictly one after another (gdb's all-stop protocol); while the
// target runs, the `c` handler is still waiting, and only 0x03 (handled out of band)
// or the client going away can end the wait early.

import { CRC32_INIT, crc32Update } from './crc32.js';
import { fromHex, hex8, hexToText, parseHex32, textToHex, toHex } from './hex.js';
import { runMonitorCommand } from './monitor.js';
import { RspConnection } from './rsp-connection.js';
import { memoryMapXml, targetDescriptionXml } from './target-xml.js';
import { MemoryFault, TargetError, type BreakKind, type DebugTarget, type HaltReason, type RegisterInfo, type WatchKind } from './target.js';
import type { Duplex } from 'node:stream';

/** Error numbers in `E NN` replies (gdb shows only that an error happened). */
const E_SYNTAX = 'E01';
const E_TARGET = 'E02';
const E_NO_FLASH = 'E03';
const E_FAULT = 'E0e'; // EFAULT, as other stubs answer for memory that faults
const E_TOO_BIG = 'E07';

/**
 * 128 KiB: gdb then reads 64 KiB per m packet and writes ~128 KiB per X packet, so a 1 MiB
 * load or dump is a handful of round trips, not a hundred (gdb 13 takes any size offered).
 */
export const DEFAULT_PACKET_SIZE = 0x20000;
/** gdb's reply timeout is 2 s by default; keep well inside it. */
const KEEPALIVE_MS = 1000;

export interface SessionOptions {
  readonly target: DebugTarget;
  readonly version: string;
  readonly packetSize?: number;
  readonly log?: (msg: string) => void;
  /** Trace every packet (tsprobe gdb --debug). */
  readonly trace?: boolean;
}

type Reply = string | { binary: Uint8Array } | { hex: Uint8Array } | null;

export class GdbSession {
  readonly connection: RspConnection;
  /** Packets we answered with an empty reply (unsupported), by name, for the report. */
  readonly unsupported = new Set<string>();
  /** Resolves when the client is gone and the target left in a defined state. */
  readonly finished: Promise<void>;

  private readonly target: DebugTarget;
  private readonly packetSize: number;
  private readonly log: (msg: string) => void;
  private queue: Promise<void> = Promise.resolve();
  private extended = false;
  private processAlive = true;
  private startedByRun = false;
  private running = false;
  private interruptRequested = false;
  private lastStop: HaltReason = { kind: 'interrupt' };
  private regCache: Uint8Array | null = null;
  private regOffsets = new Map<number, { offset: number; size: number; info: RegisterInfo }>();
  private regTotal = 0;
  private gdbFeatures = new Set<string>();
  private flashInProgress = false;
  private pendingConsole = '';
  private targetXml: string | null = null;
  private memMapXml: string | null = null;
  private resolveFinished!: () => void;

  constructor(stream: Duplex, private readonly opts: SessionOptions) {
    this.target = opts.target;
    this.packetSize = opts.packetSize ?? DEFAULT_PACKET_SIZE;
    this.log = opts.log ?? (() => {});
    this.finished = new Promise((r) => (this.resolveFinished = r));
    let offset = 0;
    for (const r of [...this.target.registers].sort((a, b) => a.regnum - b.regnum)) {
      this.regOffsets.set(r.regnum, { offset, size: r.bitsize / 8, info: r });
      offset += r.bitsize / 8;
    }
    this.regTotal = offset;
    // Accept a little more than we advertise: gdb counts the escaped payload against it.
    this.connection = new RspConnection(
      stream,
      {
        packet: (data, oversized) => this.enqueue(data, oversized),
        interrupt: () => this.interrupt(),
        close: () => this.enqueueClose(),
      },
      this.packetSize + 256,
    );
    if (opts.trace) this.connection.trace = (dir, text) => this.log(`${dir === 'in' ? '<-' : '->'} ${text}`);
    this.target.setConsoleListener?.((text) => this.console(text));
  }

  /** Halts the target as gdb expects on attach. Called by the server before any packet. */
  async attach(): Promise<void> {
    this.queue = this.queue.then(async () => {
      try {
        await (this.target.attach ? this.target.attach() : this.target.halt());
        this.lastStop = { kind: 'interrupt' };
      } catch (e) {
        this.log(`halt on attach failed: ${errText(e)}`);
      }
    });
    await this.queue;
  }

  private enqueue(data: Buffer, oversized: boolean): void {
    this.queue = this.queue.then(async () => {
      let reply: Reply;
      this.busySince = performance.now();
      this.watchKeepalive();
      try {
        reply = oversized ? E_TOO_BIG : await this.dispatch(data);
      } catch (e) {
        this.log(`packet '${data.subarray(0, 40).toString('latin1')}' failed: ${errText(e)}`);
        reply = e instanceof MemoryFault ? E_FAULT : E_TARGET;
      } finally {
        this.busySince = 0;
      }
      if (reply === null || this.connection.isClosed) return;
      if (typeof reply === 'string') this.connection.send(reply);
      else if ('hex' in reply) this.connection.sendHex(reply.hex);
      else this.connection.send(reply.binary, { binary: true });
    });
  }

  /** When the packet being handled arrived (0: idle), and when we last sent a keepalive. */
  private busySince = 0;
  private lastKeepalive = 0;
  private keepaliveTimer: ReturnType<typeof setInterval> | null = null;

  /**
   * One watchdog for the session rather than a timer per packet: while a packet takes
   * long (not a running target, which answers later anyway), a NUL every KEEPALIVE_MS.
   * Unref'd: the client's socket is what keeps the process alive.
   */
  private watchKeepalive(): void {
    if (this.keepaliveTimer) return;
    this.keepaliveTimer = setInterval(() => {
      if (this.connection.isClosed) {
        clearInterval(this.keepaliveTimer!);
        return;
      }
      if (this.busySince === 0 || this.running) return;
      const now = performance.now();
      if (now - Math.max(this.busySince, this.lastKeepalive) < KEEPALIVE_MS) return;
      this.lastKeepalive = now;
      this.connection.keepalive();
    }, KEEPALIVE_MS / 4);
    this.keepaliveTimer.unref();
  }

  private enqueueClose(): void {
    // The wait loop of a running `c` notices the close itself; this runs after it.
    this.queue = this.queue.then(async () => {
      try {
        if (this.flashInProgress && this.target.flash) {
          // Data not yet programmed is dropped (half an image is worth nothing); the
          // controller is left idle and locked.
          this.log('client left during a flash write: finishing the flash operation');
          await (this.target.flash.abort ? this.target.flash.abort() : this.target.flash.done());
          this.flashInProgress = false;
        }
      } catch (e) {
        this.log(`finishing flash after disconnect failed: ${errText(e)}`);
      }
      this.target.setConsoleListener?.(null);
      if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
      this.resolveFinished();
    });
  }

  private interrupt(): void {
    if (this.running) this.interruptRequested = true;
  }

  private console(text: string): void {
    if (this.running) this.connection.send('O' + textToHex(text));
    else this.pendingConsole += text;
  }

  private flushConsole(): void {
    if (this.pendingConsole) {
      this.connection.send('O' + textToHex(this.pendingConsole));
      this.pendingConsole = '';
    }
  }

  private async dispatch(data: Buffer): Promise<Reply> {
    if (data.length === 0) return '';
    const first = String.fromCharCode(data[0]!);
    // Binary packets: only the header is text.
    if (first === 'X') return this.writeMemoryBinary(data);
    if (data.subarray(0, 12).toString('latin1') === 'vFlashWrite:') return this.flashWrite(data);
    const pkt = data.toString('latin1');
    switch (first) {
      case '?':
        return this.processAlive || !this.extended ? this.stopReply(this.lastStop, false) : 'W00';
      case '!':
        this.extended = true;
        return 'OK';
      case 'g':
        return toHex(await this.registers());
      case 'G':
        return this.writeAllRegisters(pkt.slice(1));
      case 'p':
        return this.readOneRegister(pkt.slice(1));
      case 'P':
        return this.writeOneRegister(pkt.slice(1));
      case 'm':
        return this.readMemory(pkt.slice(1));
      case 'M':
        return this.writeMemoryHex(pkt.slice(1));
      case 'c':
      case 'C':
      case 's':
      case 'S':
        return this.resumeLegacy(pkt);
      case 'Z':
      case 'z':
        return this.breakWatch(pkt);
      case 'H':
        return 'OK';
      case 'T':
        return pkt === 'T1' || pkt === 'T01' || pkt === 'Tp1.1' ? 'OK' : 'E01';
      case 'D':
        return this.detach();
      case 'k':
        await this.kill();
        if (!this.extended) this.connection.close();
        return null;
      case 'R':
        await this.restart();
        return null;
      case 'q':
        return this.query(pkt);
      case 'Q':
        return this.setting(pkt);
      case 'v':
        return this.vPacket(pkt);
    }
    return this.empty(pkt);
  }

  private empty(pkt: string): string {
    const name = /^[a-zA-Z]+/.exec(pkt)?.[0] ?? pkt.slice(0, 1);
    this.unsupported.add(/^[qQv]/.test(name) ? (pkt.split(/[:;,]/)[0] ?? name) : name.slice(0, 1));
    return '';
  }

  // ---- queries -------------------------------------------------------------------

  private async query(pkt: string): Promise<Reply> {
    if (pkt.startsWith('qSupported')) return this.supported(pkt);
    if (pkt === 'qAttached' || pkt.startsWith('qAttached:')) return this.startedByRun ? '0' : '1';
    if (pkt === 'qC') return 'QC1';
    if (pkt === 'qfThreadInfo') return this.processAlive ? 'm1' : 'l';
    if (pkt === 'qsThreadInfo') return 'l';
    if (pkt === 'qOffsets') return 'Text=0;Data=0;Bss=0';
    if (pkt === 'qSymbol::') return 'OK';
    if (pkt.startsWith('qXfer:')) return this.xfer(pkt);
    if (pkt.startsWith('qCRC:')) return this.crc(pkt.slice(5));
    if (pkt.startsWith('qRcmd,')) return this.monitorCommand(pkt.slice(6));
    return this.empty(pkt);
  }

  private supported(pkt: string): string {
    for (const f of pkt.slice('qSupported:'.length).split(';')) if (f.endsWith('+')) this.gdbFeatures.add(f.slice(0, -1));
    const features = [
      `PacketSize=${this.packetSize.toString(16)}`,
      'QStartNoAckMode+',
      'qXfer:features:read+',
      'vContSupported+',
    ];
    if (this.target.memoryMap().length > 0) features.push('qXfer:memory-map:read+');
    if (this.gdbFeatures.has('swbreak')) features.push('swbreak+');
    if (this.gdbFeatures.has('hwbreak')) features.push('hwbreak+');
    return features.join(';');
  }

  private xfer(pkt: string): Reply {
    // qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH
    const m = /^qXfer:([a-z-]+):read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(pkt);
    if (!m) return pkt.includes(':read:') ? E_SYNTAX : this.empty(pkt);
    const [, object, annex, offHex, lenHex] = m as unknown as [string, string, string, string, string];
    let doc: string | null = null;
    if (object === 'features' && annex === 'target.xml') doc = this.targetXml ??= targetDescriptionXml(this.target.registers);
    else if (object === 'memory-map' && annex === '') doc = this.memMapXml ??= memoryMapXml(this.target.memoryMap());
    else if (object !== 'features' && object !== 'memory-map') return this.empty(pkt);
    if (doc === null) return 'E00';
    const offset = parseHex32(offHex);
    const length = parseHex32(lenHex);
    if (offset === null || length === null) return E_SYNTAX;
    const bytes = Buffer.from(doc, 'utf8');
    const chunk = bytes.subarray(offset, offset + Math.min(length, this.packetSize / 2 - 16));
    const last = offset + chunk.length >= bytes.length;
    const out = new Uint8Array(chunk.length + 1);
    out[0] = last ? 0x6c /* l */ : 0x6d /* m */;
    out.set(chunk, 1);
    return { binary: out };
  }

  private async crc(args: string): Promise<Reply> {
    const [a, l] = args.split(',');
    const addr = parseHex32(a ?? '');
    const len = parseHex32(l ?? '');
    if (addr === null || len === null) return E_SYNTAX;
    try {
      if (this.target.crc32) return 'C' + hex8(await this.target.crc32(addr, len));
      let crc = CRC32_INIT;
      const chunk = 0x4000;
      for (let done = 0; done < len; done += chunk) {
        crc = crc32Update(crc, await this.target.readMemory((addr + done) >>> 0, Math.min(chunk, len - done)));
      }
      return 'C' + hex8(crc);
    } catch (e) {
      if (e instanceof MemoryFault) return E_FAULT;
      throw e;
    }
  }

  private async monitorCommand(hex: string): Promise<Reply> {
    const line = hexToText(hex);
    if (line === null) return E_SYNTAX;
    const out = await runMonitorCommand(
      { target: this.target, version: this.opts.version, invalidate: () => (this.regCache = null) },
      line,
    );
    // Output goes as O packets (gdb prints them as they come), then OK ends the command.
    for (let i = 0; i < out.length; i += 1024) this.connection.send('O' + textToHex(out.slice(i, i + 1024)));
    return 'OK';
  }

  private setting(pkt: string): Reply {
    if (pkt === 'QStartNoAckMode') {
      // The OK still goes out with acks on; everything after it without.
      this.connection.send('OK');
      this.connection.noAck = true;
      return null;
    }
    return this.empty(pkt);
  }

  // ---- v packets -----------------------------------------------------------------

  private async vPacket(pkt: string): Promise<Reply> {
    if (pkt === 'vCont?') return 'vCont;c;C;s;S;t';
    if (pkt.startsWith('vCont;')) return this.vCont(pkt.slice(6));
    if (pkt === 'vMustReplyEmpty') return '';
    if (pkt.startsWith('vAttach;')) {
      await (this.target.attach ? this.target.attach() : this.target.halt());
      this.regCache = null;
      this.processAlive = true;
      this.startedByRun = false;
      this.lastStop = { kind: 'interrupt' };
      return this.stopReply({ kind: 'step' }, true);
    }
    if (pkt.startsWith('vRun')) {
      // Run from the start: reset and stop before the first instruction; gdb continues.
      await this.target.reset(true);
      this.regCache = null;
      this.processAlive = true;
      this.startedByRun = true;
      this.lastStop = { kind: 'step' };
      return this.stopReply({ kind: 'step' }, true);
    }
    if (pkt.startsWith('vKill')) {
      await this.kill();
      return 'OK';
    }
    if (pkt.startsWith('vFlashErase:')) return this.flashErase(pkt.slice(12));
    if (pkt === 'vFlashDone') return this.flashDone();
    return this.empty(pkt);
  }

  private async vCont(actions: string): Promise<Reply> {
    // With one thread the first action that applies to it decides.
    const list = actions.split(';').map((a) => a.split(':')[0]!);
    const action = list[0];
    if (action === undefined) return E_SYNTAX;
    switch (action[0]) {
      case 'c':
      case 'C':
        return this.run(false);
      case 's':
      case 'S':
        return this.run(true);
      case 't':
        await this.target.halt();
        this.regCache = null;
        return this.stopReply({ kind: 'interrupt' }, true);
    }
    return E_SYNTAX;
  }

  private async resumeLegacy(pkt: string): Promise<Reply> {
    // c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: signals mean nothing to a bare core.
    const kind = pkt[0]!;
    let addrText = pkt.slice(1);
    if (kind === 'C' || kind === 'S') addrText = addrText.includes(';') ? addrText.slice(addrText.indexOf(';') + 1) : '';
    if (addrText.length > 0) {
      const addr = parseHex32(addrText);
      if (addr === null) return E_SYNTAX;
      const pc = this.regOffsets.get(15);
      if (pc) await this.target.writeRegister(15, numberToLe32(addr));
    }
    return this.run(kind === 's' || kind === 'S');
  }

  // ---- run control ---------------------------------------------------------------

  private async run(step: boolean): Promise<Reply> {
    if (!this.processAlive && this.extended) return 'W00';
    this.regCache = null;
    this.flushConsole();
    let reason: HaltReason | null;
    if (step) reason = await this.target.step();
    else reason = await this.continueUntilStop();
    if (reason === null) return null; // client gone; target already halted
    this.lastStop = reason;
    return this.stopReply(reason, true);
  }

  private async continueUntilStop(): Promise<HaltReason | null> {
    this.interruptRequested = false;
    // Running from before resume() so that a Ctrl-C arriving meanwhile is not lost.
    this.running = true;
    let haltRequested = false;
    try {
      await this.target.resume();
      for (let polls = 0; ; polls++) {
        if (this.connection.isClosed) {
          // Leave the target in a defined state: halted, server up.
          await this.target.halt();
          this.log('client left while the target was running: target halted');
          return null;
        }
        if (this.interruptRequested && !haltRequested) {
          haltRequested = true;
          await this.target.halt();
        }
        let reason: HaltReason | null;
        try {
          reason = await this.target.poll();
        } catch (e) {
          // The probe lost the target while it ran: tell gdb the process is gone (X),
          // the server stays up and the next attach tries again.
          this.log(`target lost while running: ${errText(e)}`);
          return { kind: 'lost', detail: errText(e) };
        }
        if (reason !== null) return haltRequested && reason.kind === 'step' ? { kind: 'interrupt' } : reason;
        // Poll hard for a short while (breakpoints nearby), then back off to <= 10 ms.
        await pause(polls < 50 ? 0 : Math.min(10, (polls - 50) >> 2));
      }
    } finally {
      this.running = false;
    }
  }

  private async stopReply(reason: HaltReason, fresh: boolean): Promise<string> {
    this.flushConsole();
    switch (reason.kind) {
      case 'exit':
        this.processAlive = false;
        return 'W' + (reason.status & 0xff).toString(16).padStart(2, '0');
      case 'lost':
        this.processAlive = false;
        if (reason.detail) this.connection.send('O' + textToHex(`Target lost: ${reason.detail}\n`));
        return 'X1d';
      case 'fault':
        if (fresh) this.connection.send('O' + textToHex(`Target fault: ${reason.name}\n`));
        return 'T0b' + (await this.expedite());
      case 'interrupt':
        return 'T02' + (await this.expedite());
      case 'breakpoint': {
        let extra = '';
        if (reason.type === 'sw' && this.gdbFeatures.has('swbreak')) extra = 'swbreak:;';
        if (reason.type === 'hw' && this.gdbFeatures.has('hwbreak')) extra = 'hwbreak:;';
        return 'T05' + extra + (await this.expedite());
      }
      case 'watchpoint': {
        const key = reason.access === 'write' ? 'watch' : reason.access === 'read' ? 'rwatch' : 'awatch';
        return `T05${key}:${(reason.address >>> 0).toString(16)};` + (await this.expedite());
      }
      case 'step':
        return 'T05' + (await this.expedite());
    }
  }

  /** `thread:1;` plus pc, sp, lr, r7 so that gdb needs no extra round trip for a frame. */
  private async expedite(): Promise<string> {
    let out = 'thread:1;';
    try {
      const regs = await this.registers();
      for (const n of [15, 13, 14, 7]) {
        const r = this.regOffsets.get(n);
        if (r) out += `${n.toString(16).padStart(2, '0')}:${toHex(regs.subarray(r.offset, r.offset + r.size))};`;
      }
    } catch (e) {
      this.log(`reading registers at stop failed: ${errText(e)}`);
    }
    return out;
  }

  private async detach(): Promise<Reply> {
    // gdb has already removed its breakpoints; the program runs on without us.
    this.regCache = null;
    try {
      await this.target.resume();
    } catch (e) {
      this.log(`resume on detach failed: ${errText(e)}`);
    }
    this.processAlive = false;
    this.startedByRun = false;
    return 'OK';
  }

  private async kill(): Promise<void> {
    // There is no process to end on a bare core: reset it and keep it halted.
    this.regCache = null;
    try {
      await this.target.reset(true);
    } catch (e) {
      this.log(`reset on kill failed: ${errText(e)}`);
    }
    this.processAlive = false;
    this.startedByRun = false;
    this.lastStop = { kind: 'step' };
  }

  private async restart(): Promise<void> {
    this.regCache = null;
    await this.target.reset(true);
    this.processAlive = true;
    this.lastStop = { kind: 'step' };
  }

  // ---- registers -----------------------------------------------------------------

  private async registers(): Promise<Uint8Array> {
    this.regCache ??= await this.target.readRegisters();
    return this.regCache;
  }

  private async writeAllRegisters(hex: string): Promise<Reply> {
    const bytes = fromHex(hex);
    if (bytes === null || bytes.length !== this.regTotal) return E_SYNTAX;
    this.regCache = null;
    await this.target.writeRegisters(bytes);
    return 'OK';
  }

  private async readOneRegister(args: string): Promise<Reply> {
    const n = parseHex32(args);
    const r = n === null ? undefined : this.regOffsets.get(n);
    if (!r) return E_SYNTAX;
    const regs = await this.registers();
    return toHex(regs.subarray(r.offset, r.offset + r.size));
  }

  private async writeOneRegister(args: string): Promise<Reply> {
    const eq = args.indexOf('=');
    const n = eq > 0 ? parseHex32(args.slice(0, eq)) : null;
    const r = n === null ? undefined : this.regOffsets.get(n);
    const value = eq > 0 ? fromHex(args.slice(eq + 1)) : null;
    if (!r || value === null || value.length !== r.size) return E_SYNTAX;
    this.regCache = null;
    await this.target.writeRegister(r.info.regnum, value);
    return 'OK';
  }

  // ---- memory --------------------------------------------------------------------

  private parseAddrLen(s: string): [number, number] | null {
    const comma = s.indexOf(',');
    if (comma <= 0) return null;
    const addr = parseHex32(s.slice(0, comma));
    const len = parseHex32(s.slice(comma + 1));
    if (addr === null || len === null) return null;
    return [addr, len];
  }

  private async readMemory(args: string): Promise<Reply> {
    const al = this.parseAddrLen(args);
    if (!al) return E_SYNTAX;
    const [addr, len0] = al;
    const len = Math.min(len0, (this.packetSize - 8) >> 1, 0x100000000 - addr);
    try {
      return { hex: await this.target.readMemory(addr, len) };
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      // A read that runs into a fault answers with the bytes before it, as gdb allows.
      const good = (e.address - addr) >>> 0;
      if (good > 0 && good < len) {
        try {
          return { hex: await this.target.readMemory(addr, good) };
        } catch {
          /* fall through */
        }
      }
      return E_FAULT;
    }
  }

  private async writeMemoryHex(args: string): Promise<Reply> {
    const colon = args.indexOf(':');
    const al = colon > 0 ? this.parseAddrLen(args.slice(0, colon)) : null;
    if (!al) return E_SYNTAX;
    const data = fromHex(args.slice(colon + 1));
    if (data === null || data.length !== al[1]) return E_SYNTAX;
    return this.writeMemory(al[0], data);
  }

  private async writeMemoryBinary(pkt: Buffer): Promise<Reply> {
    const colon = pkt.indexOf(0x3a);
    const al = colon > 1 ? this.parseAddrLen(pkt.subarray(1, colon).toString('latin1')) : null;
    if (!al) return E_SYNTAX;
    // A copy as a plain Uint8Array: a Buffer's slice() shares memory, which layers below
    // that use slice() to copy must not be handed.
    const data = new Uint8Array(pkt.subarray(colon + 1));
    if (data.length !== al[1]) return E_SYNTAX;
    if (data.length === 0) return 'OK'; // gdb probing for X support
    return this.writeMemory(al[0], data);
  }

  private async writeMemory(addr: number, data: Uint8Array): Promise<Reply> {
    this.regCache = null; // the write may hit memory-mapped core state
    try {
      await this.target.writeMemory(addr, data);
      return 'OK';
    } catch (e) {
      if (e instanceof MemoryFault) return E_FAULT;
      throw e;
    }
  }

  // ---- breakpoints and watchpoints -----------------------------------------------

  private async breakWatch(pkt: string): Promise<Reply> {
    // Z TYPE,ADDR,KIND[;cond...]: conditions are evaluated by gdb, we ignore them.
    const insert = pkt[0] === 'Z';
    const parts = pkt.slice(1).split(';')[0]!.split(',');
    if (parts.length !== 3) return E_SYNTAX;
    const type = parts[0];
    const addr = parseHex32(parts[1]!);
    const kind = parseHex32(parts[2]!);
    if (addr === null || kind === null) return E_SYNTAX;
    try {
      if (type === '0' || type === '1') {
        const bk: BreakKind = type === '0' ? 'sw' : 'hw';
        // kind is the instruction size; 3 means a 32-bit Thumb-2 instruction.
        const size = kind === 3 ? 4 : kind;
        if (insert) await this.target.addBreakpoint(bk, addr, size);
        else await this.target.removeBreakpoint(bk, addr, size);
        return 'OK';
      }
      if (type === '2' || type === '3' || type === '4') {
        const wk: WatchKind = type === '2' ? 'write' : type === '3' ? 'read' : 'access';
        if (insert) await this.target.addWatchpoint(wk, addr, kind);
        else await this.target.removeWatchpoint(wk, addr, kind);
        return 'OK';
      }
    } catch (e) {
      if (e instanceof TargetError) {
        this.log(`${insert ? 'insert' : 'remove'} ${pkt}: ${e.message}`);
        return E_TARGET;
      }
      if (e instanceof MemoryFault) return E_FAULT;
      throw e;
    }
    return this.empty(pkt);
  }

  // ---- flash ---------------------------------------------------------------------

  private async flashErase(args: string): Promise<Reply> {
    const al = this.parseAddrLen(args);
    if (!al) return E_SYNTAX;
    if (!this.target.flash) return E_NO_FLASH;
    this.flashInProgress = true;
    await this.target.flash.erase(al[0], al[1]);
    return 'OK';
  }

  private async flashWrite(pkt: Buffer): Promise<Reply> {
    // vFlashWrite:ADDR:BINARY
    const colon = pkt.indexOf(0x3a, 12);
    const addr = colon > 12 ? parseHex32(pkt.subarray(12, colon).toString('latin1')) : null;
    if (addr === null) return E_SYNTAX;
    if (!this.target.flash) return E_NO_FLASH;
    this.flashInProgress = true;
    await this.target.flash.write(addr, new Uint8Array(pkt.subarray(colon + 1)));
    return 'OK';
  }

  private async flashDone(): Promise<Reply> {
    if (!this.target.flash) return E_NO_FLASH;
    try {
      await this.target.flash.done();
    } finally {
      // done() locks the controller even when programming failed: nothing is left in progress.
      this.flashInProgress = false;
    }
    return 'OK';
  }
}

function numberToLe32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => (ms <= 0 ? setImmediate(r) : setTimeout(r, ms)));
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
