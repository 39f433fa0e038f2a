// `tsprobe swo`: capture the target's SWO trace through the probe's SWO input and print
// what the firmware writes to the ITM's stimulus ports: port 0 as text (printf through
// ITM_SendChar), other ports as one line per write. tsprobe sets up the target's TPIU and
// ITM (as OpenOCD's `tpiu ... enable` and `itm port` do) at a rate both sides can make.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ProbeSession } from '../../probe/session.js';
import type { Connection } from '../../cortexm/connect.js';
import { parseFrequency, ProbeOpenError } from '../../probe/open-target.js';
import { startSwoTrace } from '../../cortexm/swo-stream.js';
import { detectTarget } from '../../targets/registry.js';
import { parsePorts, SwoSetupError } from '../../cortexm/swo.js';
import type { SwoMode } from '../../wire/debug-wire.js';
import { StopSignals } from '../signals.js';
import { UserError } from '../errors.js';

export interface SwoOptions {
  baud?: string;
  traceclk?: string;
  mode?: string;
  ports?: string;
  duration?: string;
  raw?: string;
  resume?: boolean;
}

const POLL_MS = 20;

function frequency(text: string, what: string): number {
  try {
    return parseFrequency(text);
  } catch (e) {
    if (e instanceof ProbeOpenError) throw new UserError(e.message.replace('--frequency', what));
    throw e;
  }
}

export async function swoCommand({ session, conn }: { session: ProbeSession; conn: Connection }, opts: SwoOptions): Promise<number> {
  const mode = (opts.mode ?? 'uart') as SwoMode;
  if (mode !== 'uart' && mode !== 'manchester') throw new UserError(`--mode ${opts.mode}: give uart (NRZ) or manchester`);
  const traceClockHz = opts.traceclk !== undefined ? frequency(opts.traceclk, '--traceclk') : session.simBoard?.clock.hz;
  if (traceClockHz === undefined) throw new UserError('give --traceclk: the TPIU clock of the target (TRACECLKIN, on most parts the core clock), e.g. --traceclk 64M');
  const baud = opts.baud !== undefined ? frequency(opts.baud, '--baud') : undefined; // default: startSwoTrace's
  let ports: number;
  let durationMs: number | undefined;
  try {
    ports = parsePorts(opts.ports ?? '0');
  } catch (e) {
    throw new UserError(`--ports: ${(e as Error).message}`);
  }
  if (opts.duration !== undefined) {
    durationMs = Number(opts.duration);
    if (!Number.isFinite(durationMs) || durationMs <= 0) throw new UserError(`--duration ${opts.duration}: give milliseconds, e.g. 2000`);
  }
  const swo = session.wireFor('cli').swo;
  if (!swo) throw new UserError(`${session.description} has no SWO input (its CMSIS-DAP capabilities name no SWO UART or Manchester)`);

  let raw: WriteStream | undefined;
  let atLineStart = true;
  const line = (l: string) => {
    process.stdout.write(`${atLineStart ? '' : '\n'}${l}\n`);
    atLineStart = true;
  };
  const warned = new Set<string>();
  let trace;
  try {
    // A chip that drives SWO from its own SWO unit (STM32H7) says where it is.
    const route = (await detectTarget(conn)).swo;
    const tpiu = route ? await route.prepare(conn) : undefined;
    if (route) process.stderr.write(`tsprobe: ${route.description}\n`);
    trace = await startSwoTrace(swo, conn.mem, { mode, baud, traceClockHz, ports, tpiu }, {
      stimulus(port, b, p) {
        if (port !== 0) return line(`itm[${port}] 0x${p.value.toString(16).padStart(2 * p.size, '0')}`);
        process.stdout.write(Buffer.from(b));
        atLineStart = b[b.length - 1] === 0x0a;
      },
      packet(p) {
        if (p.kind === 'overflow') process.stderr.write('tsprobe: ITM overflow: the target wrote faster than SWO carries (writes were lost)\n');
      },
      raw: (b) => raw?.write(b),
      trouble(what) {
        if (warned.has(what)) return;
        warned.add(what);
        process.stderr.write(
          what === 'overrun'
            ? 'tsprobe: the probe\'s SWO buffer overran (bytes lost): a lower --baud, or fewer ports\n'
            : "tsprobe: SWO line errors: the probe could not decode what it saw (baud rate or mode differ from the target's TPIU?)\n",
        );
      },
    });
  } catch (e) {
    if (e instanceof SwoSetupError) throw new UserError(e.message);
    throw e;
  }
  const stream = trace.stream;
  if (opts.raw) raw = createWriteStream(opts.raw);
  const signals = new StopSignals((l) => process.stderr.write(`tsprobe: ${l}\n`));
  const rate = trace.tpiu!;
  process.stderr.write(`tsprobe: SWO ${mode} at ${rate.baud} baud (TRACECLKIN ${traceClockHz} Hz / ${rate.prescaler}; probe ${trace.probeBaud}), stimulus ports 0x${ports.toString(16)}${durationMs ? `, for ${durationMs} ms` : '; Ctrl-C stops'}\n`);
  if (opts.resume !== false && (await conn.core.isHalted())) await conn.core.resume();

  void signals.stopped.then(() => stream.stop());
  try {
    await stream.run(POLL_MS, durationMs);
  } finally {
    await trace.stop();
    if (raw) await new Promise((r) => raw!.end(r));
    signals.dispose();
  }
  if (!atLineStart) process.stdout.write('\n');
  const c = stream.decoder.counts;
  process.stderr.write(`tsprobe: SWO captured ${stream.bytes} bytes, ${c.packets} packets${stream.overruns ? `, probe buffer overran ${stream.overruns} times` : ''}${c.overflows ? `, ${c.overflows} ITM overflows` : ''}\n`);
  return 0;
}
