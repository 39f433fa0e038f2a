// Transfer commands: DAP_TransferConfigure, DAP_Transfer, DAP_TransferBlock and
// DAP_WriteABORT, on the DebugWire. The wire already does what the CMSIS-DAP firmware
// does per packet (posted AP reads hidden, WAIT retried), so runs of plain transfers go
// to it as one batch; value-match reads, match-mask writes and timestamped transfers
// are done one at a time because the device itself has to act between them.
import type { BlockStep, TransferAck, TransferRequest } from '../../wire/debug-wire.js';
import { Cmd, DAP_ERROR, DAP_OK, Port, Req, Resp } from '../protocol.js';
import { Malformed, Truncated, type PacketReader } from '../packet-reader.js';
import type { PacketWriter } from '../packet-writer.js';
import { fixedReply, type CommandBatch, type DapContext, type ParsedCommand } from '../command.js';

/** Words go between packets and Uint32Arrays as plain byte copies on a little-endian host. */
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export function ackToResponse(ack: TransferAck): number {
  switch (ack) {
    case 'ok': return Resp.OK;
    case 'wait': return Resp.WAIT;
    case 'fault': return Resp.FAULT;
    case 'no-ack': return Resp.NO_ACK;
    case 'parity-error': return Resp.ERROR;
  }
}

export function parseTransferConfigure(r: PacketReader): ParsedCommand {
  const idle = r.u8('idle cycles');
  const waitRetry = r.u16('WAIT retry');
  const matchRetry = r.u16('match retry');
  return fixedReply([Cmd.TransferConfigure, DAP_OK], (ctx) => {
    ctx.state.idleCycles = idle;
    ctx.state.waitRetry = waitRetry;
    ctx.state.matchRetry = matchRetry;
    ctx.wire.configure({ waitRetries: waitRetry, idleCycles: idle });
  });
}

interface TransferItem {
  req: number;
  /** Write data, or the match value of a value-match read. */
  value: number;
}

/** The transfers of one DAP_Transfer: request bytes and values side by side (no object per transfer). */
interface TransferItems {
  /** Transfers held (the arrays are sized for the most a DAP_Transfer can hold). */
  count: number;
  reqs: Uint8Array;
  /** Write data, or the match value of a value-match read. */
  values: Uint32Array;
  /** Found while parsing: the first transfer that is not plain (count if all are). */
  plainTo: number;
  /** Found while parsing: where the run of identical request bytes that ends the packet starts. */
  tailFrom: number;
}

/** Request bits that make a transfer more than a plain read or write (as numbers: the per-word loops use them). */
const NOT_PLAIN = Req.MATCH_VALUE | Req.MATCH_MASK | Req.TIMESTAMP;
const NOT_PLAIN_WRITE = NOT_PLAIN | Req.RnW;
const isPlain = (req: number) => (req & NOT_PLAIN) === 0;
const toWire = (t: TransferItem): TransferRequest => ({
  ap: (t.req & Req.APnDP) !== 0,
  read: (t.req & Req.RnW) !== 0,
  addr: t.req & (Req.A2 | Req.A3),
  value: t.value,
});
const itemAt = (items: TransferItems, i: number): TransferItem => ({ req: items.reqs[i], value: items.values[i] });
const wireRange = (items: TransferItems, from: number, to: number): TransferRequest[] => {
  const out: TransferRequest[] = [];
  for (let k = from; k < to; k++) out.push(toWire(itemAt(items, k)));
  return out;
};

/**
 * In the plain run items[i..j): writes only, then at least 16 transfers to one AP
 * register up to j (a host's block as DAP_Transfer). Returns where that run starts.
 */
function blockTail(items: TransferItems, i: number, j: number): { from: number } | null {
  if (j - i < 16) return null;
  const reqs = items.reqs;
  const last = reqs[j - 1];
  if (!(last & Req.APnDP)) return null;
  let from = j - 1;
  if (j === items.count) from = Math.max(i, items.tailFrom);
  else while (from > i && reqs[from - 1] === last) from--;
  if (j - from < 16) return null;
  for (let k = i; k < from; k++) if (reqs[k] & Req.RnW) return null;
  return { from };
}

export function parseTransfer(r: PacketReader, ctx: DapContext): ParsedCommand {
  r.u8('DAP index'); // JTAG device index: ignored in SWD
  const count = r.u8('transfer count');
  const items = takeItems();
  items.count = count;
  const reqs = items.reqs;
  const values = items.values;
  // This loop runs for every word of a block sent as DAP_Transfer: bytes are read straight
  // from the packet, and messages are built only when something is wrong.
  const b = r.buf;
  const end = r.end;
  let pos = r.pos;
  let responseBytes = 3;
  let plainTo = count;
  let tailFrom = 0;
  let prev = -1;
  for (let i = 0; i < count; i++) {
    if (pos >= end) throw new Truncated(`transfer request ${i}`);
    const req = b[pos++];
    reqs[i] = req;
    if (req !== prev) {
      prev = req;
      tailFrom = i;
    }
    if ((req & NOT_PLAIN_WRITE) === 0) {
      // A plain write: the common case.
      if (pos + 4 > end) throw new Truncated(`transfer ${i} data`);
      values[i] = b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24);
      pos += 4;
      continue;
    }
    const read = (req & Req.RnW) !== 0;
    values[i] = 0;
    if (req & NOT_PLAIN && plainTo === count) plainTo = i;
    if (!read || req & Req.MATCH_VALUE) {
      if (pos + 4 > end) throw new Truncated(`transfer ${i} data`);
      values[i] = b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24);
      pos += 4;
    }
    if (read && req & Req.MATCH_MASK) throw new Malformed(`transfer ${i}: MATCH_MASK is for writes`);
    if (!read && req & Req.MATCH_VALUE) throw new Malformed(`transfer ${i}: MATCH_VALUE is for reads`);
    const maskWrite = !read && (req & Req.MATCH_MASK) !== 0;
    if (req & Req.TIMESTAMP && !maskWrite) responseBytes += 4;
    if (read && !(req & Req.MATCH_VALUE)) responseBytes += 4;
  }
  r.pos = pos;
  items.plainTo = plainTo;
  items.tailFrom = tailFrom;
  if (responseBytes > ctx.config.packetSize) {
    throw new Malformed(`DAP_Transfer: the response (${responseBytes} bytes) would not fit in a ${ctx.config.packetSize}-byte packet`);
  }
  // Set-up writes then a block of writes to one AP register: how hosts send block writes.
  const tail = plainTo === count ? blockTail(items, 0, count) : null;
  const writeStepFrom = tail && !(reqs[tail.from] & Req.RnW) ? tail.from : -1;
  return new TransferCommand(responseBytes, items, writeStepFrom);
}

class TransferCommand implements ParsedCommand {
  readonly batch: CommandBatch | undefined;
  constructor(
    readonly maxResponse: number,
    readonly items: TransferItems,
    /** Where the block of a set-up-and-block-write command starts; -1 for other commands. */
    readonly blockFrom: number,
  ) {
    this.batch = blockFrom >= 0 ? WRITE_STEPS : undefined;
  }

  async run(c: DapContext, w: PacketWriter): Promise<void> {
    try {
      await runTransfer(c, w, this.items);
    } finally {
      giveItems(this.items);
    }
  }
}


/**
 * Adjacent set-up-and-block-write DAP_Transfers of one DAP_ExecuteCommands packet (a
 * host's block write over many TAR ranges) in one wire call: each step, then the RDBUFF
 * read that checks its last write, as each DAP_Transfer alone would do. The wire stops at
 * the first failure; the command that holds it answers how far it got, and the commands
 * after it then run one by one as they would have (each sets up its own TAR).
 */
const WRITE_STEPS: CommandBatch = {
  async runMany(ctx, w, cmds) {
    const list = cmds as readonly TransferCommand[];
    const wire = ctx.wire;
    if (!wire.transferBlocks || ctx.state.port !== Port.SWD) {
      for (const c of list) await c.run(ctx, w);
      return;
    }
    ctx.state.abortRequested = false;
    const steps: BlockStep[] = [];
    for (const c of list) {
      const it = c.items;
      const from = c.blockFrom;
      const addr = it.reqs[from] & (Req.A2 | Req.A3);
      steps.push({ setup: wireRange(it, 0, from), req: { ap: true, read: false, addr }, count: it.count - from, data: it.values.subarray(from, it.count) }, RDBUFF_STEP);
    }
    let k = 0;
    try {
      const res = await wire.transferBlocks(steps);
      let wordsBefore = 0;
      for (; k < list.length; k++) {
        const c = list[k];
        const s = c.blockFrom;
        const n = c.items.count - s;
        giveItems(c.items);
        if (res.ack === 'ok' || res.done > 2 * k + 1) {
          w.u8(Cmd.Transfer).u8(s + n).u8(Resp.OK);
          wordsBefore += n + 1;
          continue;
        }
        // This command holds the failure: in its set-up, its block, or the write check after it.
        let done = s + n;
        if (res.done === 2 * k) done = res.failedIn === 'setup' ? (res.setupDone ?? 0) : s + res.words - wordsBefore;
        w.u8(Cmd.Transfer).u8(done).u8(ackToResponse(res.ack));
        k++;
        break;
      }
    } catch (e) {
      for (; k < list.length; k++) giveItems(list[k].items);
      throw e;
    }
    for (; k < list.length; k++) await list[k].run(ctx, w);
  },
};

/**
 * The request bytes and values of a DAP_Transfer (at most 255 transfers) live in reused
 * arrays: fresh typed arrays per packet cost more than parsing its words. A parsed
 * command holds its arrays until it has run (one that never runs just drops them). A
 * DAP_ExecuteCommands packet parses all its transfers before running any, so the pool
 * keeps enough for a large packet's worth.
 */
const MAX_TRANSFERS = 255;
const itemsPool: TransferItems[] = [];
const takeItems = (): TransferItems => itemsPool.pop() ?? { count: 0, reqs: new Uint8Array(MAX_TRANSFERS), values: new Uint32Array(MAX_TRANSFERS), plainTo: 0, tailFrom: 0 };
const giveItems = (items: TransferItems): void => {
  if (itemsPool.length < 256) itemsPool.push(items);
};

async function runTransfer(ctx: DapContext, w: PacketWriter, items: TransferItems): Promise<void> {
  const count = items.count;
  const start = w.length;
  w.u8(Cmd.Transfer).u8(0).u8(0);
  const st = ctx.state;
  st.abortRequested = false;
  if (st.port !== Port.SWD) return; // not connected: nothing done, response 0 (as Arm's firmware)
  let done = 0;
  let response = 0;
  let i = 0;
  // As a probe's firmware does: after a final write, read RDBUFF so that a write the
  // target could not complete (a bus fault, found only after its OK) is reported here.
  let checkWrite = false;
  outer: while (i < count) {
    if (st.abortRequested) break;
    const t = itemAt(items, i);
    if (isPlain(t.req)) {
      // A run of plain transfers is one wire batch.
      let j = i;
      if (i < items.plainTo) j = items.plainTo;
      else while (j < count && isPlain(items.reqs[j])) j++;
      const block = blockTail(items, i, j);
      if (block) {
        // Set-up writes, then a run of one AP register to the end of the plain run: the
        // same SWD packets as a DAP_TransferBlock after a DAP_Transfer (writes do not post;
        // the reads' last value comes with RDBUFF either way), without an object per word.
        const setup = wireRange(items, i, block.from);
        if (setup.length) {
          const res = await ctx.wire.transfer(setup);
          done += res.completed;
          response = ackToResponse(res.ack);
          if (res.ack !== 'ok') break;
        }
        const n = j - block.from;
        const rq = items.reqs[block.from];
        const read = (rq & Req.RnW) !== 0;
        const data = read ? undefined : items.values.subarray(block.from, j);
        const target = { ap: true, read, addr: rq & (Req.A2 | Req.A3) };
        if (!read && j === count && ctx.wire.transferBlocks) {
          // Writes that end the packet: the block and the RDBUFF check below in one wire
          // call (one async step and one run-loop wake fewer per packet). The check is a
          // DP read, harmless should it run after a failed block.
          const res = await ctx.wire.transferBlocks([
            { setup: [], req: target, count: n, data },
            RDBUFF_STEP,
          ]);
          done += res.ack === 'ok' || res.done > 0 ? n : res.words;
          response = ackToResponse(res.ack);
          checkWrite = false;
          i = j;
          break;
        }
        const res = await ctx.wire.transferBlock(target, n, data);
        if (read) putWords(w, res.data, res.completed);
        done += res.completed;
        response = ackToResponse(res.ack);
        if (res.ack !== 'ok') break;
        checkWrite = !read;
        i = j;
        continue;
      }
      const batch = wireRange(items, i, j);
      const res = await ctx.wire.transfer(batch);
      for (const v of res.reads) w.u32(v);
      done += res.completed;
      response = ackToResponse(res.ack);
      if (res.ack !== 'ok') break;
      checkWrite = needsWriteCheck(batch[batch.length - 1]);
      i = j;
      continue;
    }
    const read = (t.req & Req.RnW) !== 0;
    if (!read && t.req & Req.MATCH_MASK) {
      st.matchMask = t.value >>> 0; // no wire access
      done++;
      response = Resp.OK;
      i++;
      continue;
    }
    if (t.req & Req.TIMESTAMP) w.u32(ctx.timestamp());
    if (read && t.req & Req.MATCH_VALUE) {
      let retries = st.matchRetry;
      for (;;) {
        const res = await ctx.wire.transfer([toWire(t)]);
        response = ackToResponse(res.ack);
        if (res.ack !== 'ok') break outer;
        checkWrite = false;
        if (((res.reads[0] & st.matchMask) >>> 0) === ((t.value & st.matchMask) >>> 0)) break;
        if (retries-- <= 0 || st.abortRequested) {
          response |= Resp.MISMATCH;
          break outer;
        }
      }
      done++;
      i++;
      continue;
    }
    const res = await ctx.wire.transfer([toWire(t)]);
    response = ackToResponse(res.ack);
    if (res.ack !== 'ok') break;
    if (read) w.u32(res.reads[0]);
    checkWrite = needsWriteCheck(toWire(t));
    done++;
    i++;
  }
  if (checkWrite && response === Resp.OK) response = await rdbuffCheck(ctx);
  w.patchU8(start + 1, done);
  w.patchU8(start + 2, response);
}

/** A write worth checking: not a read, and not TARGETSEL (after which only a DPIDR read is allowed). */
const needsWriteCheck = (t: TransferRequest) => !t.read && (t.ap || t.addr !== 0xc);

const RDBUFF_READ = { ap: false, read: true, addr: 0xc };
/** The first `n` words read into the response, little-endian. */
function putWords(w: PacketWriter, words: Uint32Array, n: number): void {
  if (LITTLE_ENDIAN_HOST) w.bytes(new Uint8Array(words.buffer, words.byteOffset, 4 * n));
  else for (let i = 0; i < n; i++) w.u32(words[i]);
}

/** The same read as a transferBlocks step (after a block of writes). */
const RDBUFF_STEP: BlockStep = { setup: [], req: RDBUFF_READ, count: 1 };

/** A DP RDBUFF read after writes: its ack says whether the last write went through. */
async function rdbuffCheck(ctx: DapContext): Promise<number> {
  const res = await ctx.wire.transfer([RDBUFF_READ]);
  return ackToResponse(res.ack);
}

export function parseTransferBlock(r: PacketReader, ctx: DapContext): ParsedCommand {
  r.u8('DAP index');
  const count = r.u16('transfer count');
  const req = r.u8('transfer request');
  const read = (req & Req.RnW) !== 0;
  let data: Uint32Array | undefined;
  if (!read) {
    const raw = r.bytes(count * 4, `${count} words of write data`);
    data = new Uint32Array(count);
    if (LITTLE_ENDIAN_HOST) new Uint8Array(data.buffer).set(raw);
    else for (let i = 0; i < count; i++) data[i] = (raw[4 * i] | (raw[4 * i + 1] << 8) | (raw[4 * i + 2] << 16) | (raw[4 * i + 3] << 24)) >>> 0;
  }
  const responseBytes = 4 + (read ? 4 * count : 0);
  if (responseBytes > ctx.config.packetSize) {
    throw new Malformed(`DAP_TransferBlock: ${count} reads (${responseBytes} bytes) do not fit in a ${ctx.config.packetSize}-byte packet`);
  }
  const target = { ap: (req & Req.APnDP) !== 0, read, addr: req & (Req.A2 | Req.A3) };
  return {
    maxResponse: responseBytes,
    async run(c, w) {
      const start = w.length;
      w.u8(Cmd.TransferBlock).u16(0).u8(0);
      c.state.abortRequested = false;
      if (c.state.port !== Port.SWD || count === 0) return;
      const res = await c.wire.transferBlock(target, count, data);
      if (read) putWords(w, res.data, res.completed);
      let response = ackToResponse(res.ack);
      if (!read && response === Resp.OK) response = await rdbuffCheck(c);
      w.patchU16(start + 1, res.completed);
      w.patchU8(start + 3, response);
    },
  };
}

export function parseWriteAbort(r: PacketReader): ParsedCommand {
  r.u8('DAP index');
  const value = r.u32('ABORT value');
  return {
    maxResponse: 2,
    async run(ctx, w) {
      if (ctx.state.port !== Port.SWD) {
        w.u8(Cmd.WriteAbort).u8(DAP_ERROR);
        return;
      }
      const res = await ctx.wire.transfer([{ ap: false, read: false, addr: 0, value }]);
      w.u8(Cmd.WriteAbort).u8(res.ack === 'ok' ? DAP_OK : DAP_ERROR);
    },
  };
}
