// `tsprobe rtt`: the target's RTT channels on the terminal: what the firmware writes to
// up channel 0 (or --channel N) goes to stdout, what comes on stdin goes to down channel
// 0. The control block is found at --address, at the ELF's `_SEGGER_RTT` (--load), or by
// scanning --search ranges or the chip's RAM.
import type { ProbeSession } from '../../probe/session.js';
import type { Connection } from '../../cortexm/connect.js';
import type { ElfImage } from '../../image/elf.js';
import { findRtt, RttError, RttPoller, type RttSearch } from '../../cortexm/rtt.js';
import { detectTarget } from '../../targets/registry.js';
import { StopSignals } from '../signals.js';
import { UserError } from '../errors.js';

export interface RttOptions {
  address?: string;
  search?: string[];
  channel?: string;
  duration?: string;
  poll?: string;
  resume?: boolean;
}

const num = (text: string, what: string): number => {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UserError(`${what} '${text}': give a number (0x... for hex)`);
  return Number(t) >>> 0;
};

/** Where to look for the control block, most specific first. */
async function searchFor(conn: Connection, image: ElfImage | undefined, opts: RttOptions): Promise<{ search: RttSearch; how: string }> {
  if (opts.address !== undefined) return { search: { address: num(opts.address, '--address') }, how: `at ${opts.address}` };
  const sym = image?.symbol('_SEGGER_RTT');
  if (sym !== undefined) return { search: { address: sym >>> 0 }, how: `at _SEGGER_RTT (0x${(sym >>> 0).toString(16)})` };
  if (opts.search?.length) {
    const ranges = opts.search.map((r) => {
      const m = /^(\w+)(?::|\+)(\w+)$/.exec(r.trim());
      if (!m) throw new UserError(`--search ${r}: give START:LENGTH, e.g. 0x20000000:0x10000`);
      return { start: num(m[1], '--search start'), length: num(m[2], '--search length') };
    });
    return { search: { ranges }, how: `in ${opts.search.join(', ')}` };
  }
  const ram = (await detectTarget(conn)).memoryMap.filter((r) => r.type === 'ram');
  if (ram.length) return { search: { ranges: ram.map((r) => ({ start: r.start, length: r.length })) }, how: 'in the chip\'s RAM' };
  throw new UserError('where is the RTT control block? give --address ADDR, --search START:LENGTH, or --load the ELF (its _SEGGER_RTT symbol)');
}

export async function rttCommand({ session, conn, image }: { session: ProbeSession; conn: Connection; image?: ElfImage }, opts: RttOptions): Promise<number> {
  const channel = opts.channel !== undefined ? num(opts.channel, '--channel') : 0;
  const pollMs = opts.poll !== undefined ? num(opts.poll, '--poll') : 10;
  let durationMs: number | undefined;
  if (opts.duration !== undefined) {
    durationMs = Number(opts.duration);
    if (!Number.isFinite(durationMs) || durationMs <= 0) throw new UserError(`--duration ${opts.duration}: give milliseconds, e.g. 2000`);
  }
  const { search, how } = await searchFor(conn, image, opts);
  // The firmware sets the block up when it starts: let it run first.
  if (opts.resume !== false && (await conn.core.isHalted())) await conn.core.resume();
  let rtt;
  try {
    rtt = await findRtt(conn.mem, search);
  } catch (e) {
    if (e instanceof RttError) throw new UserError(`${e.message} (searched ${how})`);
    throw e;
  }
  if (channel >= rtt.up.length) throw new UserError(`up channel ${channel} does not exist: ${rtt.describe()}`);
  process.stderr.write(`tsprobe: ${rtt.describe()} on ${session.description}; up channel ${channel} to stdout, stdin to down channel 0${durationMs ? `, for ${durationMs} ms` : '; Ctrl-C stops'}\n`);

  const signals = new StopSignals((l) => process.stderr.write(`tsprobe: ${l}\n`));
  const poller = new RttPoller(rtt, { data: (_ch, bytes) => process.stdout.write(bytes) }, [channel]);
  const onInput = (d: Buffer) => poller.send(new Uint8Array(d));
  if (rtt.down.length) process.stdin.on('data', onInput);
  void signals.stopped.then(() => poller.stop());
  try {
    await poller.run(pollMs, durationMs);
  } catch (e) {
    if (e instanceof RttError) throw new UserError(e.message);
    throw e;
  } finally {
    process.stdin.off('data', onInput);
    process.stdin.pause();
    signals.dispose();
  }
  process.stderr.write(`tsprobe: RTT ${poller.counts.up} bytes from the target, ${poller.counts.down} to it\n`);
  return 0;
}
