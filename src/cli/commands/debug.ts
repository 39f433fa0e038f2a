// The debug subcommands: info, read, write, reset, halt, resume, step, regs. Each run
// opens the target (`--target sim:<board>`: a fresh simulated board running in the
// background), connects through the DebugWire like any probe would, and does one thing.
// `--load <elf>` writes a firmware through the debug port first and stops at its reset
// vector; `--run-to <symbol|address>` then runs to a breakpoint.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ProbeSession } from '../../probe/session.js';
import { addProbeOptions, openTargetFor, TARGET_HELP } from '../../probe/cli-options.js';
import { parseElf, ElfError, type ElfImage } from '../../image/elf.js';
import { connectCortexM, type Connection } from '../../cortexm/connect.js';
import { CortexMError } from '../../cortexm/cortex-m.js';
import { BreakpointError } from '../../cortexm/breakpoints.js';
import { WatchpointError } from '../../cortexm/watchpoints.js';
import { BASE_REGISTER_NAMES } from '../../cortexm/registers.js';
import { AdiError } from '../../adi/errors.js';
import { formatComponentTree, readComponent } from '../../adi/rom-table.js';
import { DPIDR, TARGETID, hex32 } from '../../arch/index.js';
import { detectTarget } from '../../targets/registry.js';
import { formatRegion } from '../../targets/memory-map.js';
import { loadImage } from '../../targets/load-image.js';
import { FlashError } from '../../targets/flash.js';
import { parseImage, ImageError } from '../../image/image.js';
import { UserError, runAction, describeFsError } from '../errors.js';
import { swoCommand } from './swo.js';
import { DEFAULT_SWO_MAX_BAUD } from '../../cortexm/swo.js';
import { rttCommand } from './rtt.js';

interface CommonOptions {
  target?: string;
  probe?: string;
  frequency?: string;
  load?: string;
  runTo?: string;
  runMs?: string;
}

interface Opened {
  session: ProbeSession;
  conn: Connection;
  image?: ElfImage;
}

/** Where an address is on the board, for error messages. */
function describeAddress(session: ProbeSession, addr: number): string {
  const board = session.simBoard;
  if (!board) return `on the target behind ${session.description}`;
  const e = board.memoryMap.find((m) => addr >= m.base && addr - m.base < m.size);
  return e ? `it is in ${e.name} on ${board.name}` : `no memory is mapped there on ${board.name}`;
}

function parseNumber(text: string, what: string, image?: ElfImage): number {
  const t = text.trim();
  if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) return Number(t) >>> 0;
  const sym = image?.symbol(t);
  if (sym !== undefined) return sym >>> 0;
  throw new UserError(`${what} '${text}' is not a number${image ? ' or a symbol of ' + image.file : ''} (use 0x... for hex)`);
}

async function open(opts: CommonOptions): Promise<Opened> {
  const session = await openTargetFor(opts, { log: (m) => process.stderr.write(`tsprobe: ${m}\n`) }, (m) => new UserError(m));
  try {
    const conn = await connectCortexM(session.wireFor('cli'), { describeAddress: (a) => describeAddress(session, a) });
    let image: ElfImage | undefined;
    if (opts.load) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(opts.load));
      } catch (e) {
        throw new UserError(`cannot read ${opts.load}: ${describeFsError(e)}`);
      }
      image = parseElf(bytes, opts.load);
      // As gdb's `load`: flash through the chip's driver, RAM through the debug port.
      try {
        await loadImage(conn, parseImage(bytes, opts.load, { format: 'elf' }).segments);
      } catch (e) {
        if (e instanceof FlashError || e instanceof ImageError) throw new UserError(`--load ${opts.load}: ${e.message}`);
        throw e;
      }
    }
    if (opts.runTo) {
      const addr = parseNumber(opts.runTo, '--run-to', image) & ~1;
      if (!(await conn.core.isHalted())) await conn.core.halt();
      await conn.core.breakpoints.add(addr);
      await conn.core.resume();
      await conn.core.waitForHalt();
      await conn.core.breakpoints.remove(addr);
    }
    if (opts.runMs !== undefined) {
      // Let the target run (the simulated board runs in the background) for a while.
      const ms = parseNumber(opts.runMs, '--run-ms');
      await conn.core.resume();
      await new Promise((r) => setTimeout(r, ms));
    }
    return { session, conn, image };
  } catch (e) {
    await session.close();
    throw e;
  }
}

/** Run an action against the target; lower-layer errors become one-line user errors. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function action(fn: (o: Opened, ...args: any[]) => Promise<number | void>, optsIndex: number) {
  return (...args: unknown[]) =>
    runAction(async () => {
      const opts = args[optsIndex] as CommonOptions;
      let opened: Opened | undefined;
      try {
        opened = await open(opts);
        return await fn(opened, ...args.slice(0, optsIndex), opts);
      } catch (e) {
        if (e instanceof AdiError || e instanceof CortexMError || e instanceof BreakpointError || e instanceof WatchpointError || e instanceof ElfError) throw new UserError(e.message);
        throw e;
      } finally {
        await opened?.session.close();
      }
    });
}

let stdoutGuarded = false;
function out(line = ''): void {
  if (!stdoutGuarded) {
    // `tsprobe info | head`: a closed pipe ends the output quietly, as for other tools
    stdoutGuarded = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  process.stdout.write(line + '\n');
}

// ---- info ----

async function info({ session, conn }: Opened): Promise<void> {
  const { dap, aps, mem, core } = conn;
  const d = DPIDR.decode(dap.dpidr);
  out(`target     ${session.description}`);
  out(`DP         DPIDR ${hex32(dap.dpidr)}: SW-DP v${d.VERSION}, part 0x${d.PARTNO.toString(16)}, revision ${d.REVISION}, designer 0x${d.DESIGNER.toString(16)}${d.DESIGNER === 0x23b ? ' (ARM)' : ''}`);
  const tid = await dap.targetId();
  if (tid) {
    const t = TARGETID.decode(tid.targetid);
    out(`           TARGETID ${hex32(tid.targetid)} (part 0x${t.TPARTNO.toString(16)}, designer 0x${t.TDESIGNER.toString(16)}), DLPIDR ${hex32(tid.dlpidr)}`);
  }
  for (const ap of aps) out(`AP${ap.apsel}        ${ap.kind}, IDR ${hex32(ap.idr)}${ap.apsel === mem.apsel ? `, BASE ${hex32(mem.base)}, packed transfers ${mem.packedSupported ? 'yes' : 'no'}` : ''}`);
  out(`core       ${core.coreName} ${core.revision} (CPUID ${hex32(core.cpuid)}), FPB v${core.breakpoints.version} with ${core.breakpoints.numCode} breakpoints, DWT with ${core.watchpoints.numComp} comparators`);
  out('ROM table');
  const tree = await readComponent(mem, (mem.base & ~0xfff) >>> 0);
  for (const l of formatComponentTree(tree, '  ')) out(l);
  const t = await detectTarget(conn);
  out(`chip       ${t.description}`);
  if (t.family !== 'generic') {
    out(`           ${t.chip}, family ${t.family}, revision ${t.revision || '?'}, flash ${t.flashSize / 1024} KiB${t.flash ? ` (driver: ${t.flash.name})` : ''}`);
  }
  for (const d of t.details) out(`           ${d}`);
  // Trace: what the probe can capture, and where the chip's SWO pin is driven from.
  const swo = session.wireFor('cli').swo;
  out(`trace      SWO ${swo ? `capture: ${swo.modes.join(', ')}, ${swo.bufferSize} B buffer` : 'capture: none on this probe'}; pin driven by ${t.swo ? t.swo.description : 'the core\'s TPIU at 0xE0040000'}`);
  if (t.memoryMap.length > 0) {
    out('memory map');
    for (const r of t.memoryMap) out(`  ${formatRegion(r)}`);
    return;
  }
  // An unknown chip: a simulated board still knows its own map.
  const board = session.simBoard;
  if (!board) return;
  out(`memory map (${board.name}, from the simulator)`);
  for (const m of board.memoryMap) {
    if (m.kind === 'unimplemented') continue;
    out(`  ${hex32(m.base)}-${hex32(m.base + m.size - 1)}  ${m.kind.padEnd(10)} ${m.name}`);
  }
}

// ---- read / write ----

function hexdump(addr: number, bytes: Uint8Array, width: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const cells: string[] = [];
    for (let j = 0; j < row.length; j += width) {
      let v = 0;
      for (let k = width - 1; k >= 0; k--) v = v * 256 + (row[j + k] ?? 0);
      cells.push(v.toString(16).padStart(2 * width, '0'));
    }
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${hex32(addr + i).slice(2)}: ${cells.join(' ').padEnd((16 / width) * (2 * width + 1) - 1)}  ${ascii}`);
  }
  return lines;
}

async function read({ conn, image }: Opened, addrText: string, lenText: string | undefined, opts: { width: string }): Promise<void> {
  const addr = parseNumber(addrText, 'address', image);
  const len = lenText === undefined ? 64 : parseNumber(lenText, 'length');
  const width = Number(opts.width);
  if (![1, 2, 4].includes(width)) throw new UserError(`--width ${opts.width}: use 1, 2 or 4`);
  if (len > 16 * 1024 * 1024) throw new UserError(`read of ${len} bytes: at most 16 MiB at a time`);
  let bytes: Uint8Array;
  if (width === 4 || (addr | len) % width !== 0) bytes = await conn.mem.readBlock(addr, len);
  else {
    const vals = await conn.mem.readNarrow(width as 1 | 2, addr, len / width);
    bytes = new Uint8Array(len);
    vals.forEach((v, i) => (width === 1 ? (bytes[i] = v) : ((bytes[2 * i] = v & 0xff), (bytes[2 * i + 1] = v >>> 8))));
  }
  for (const l of hexdump(addr, bytes, width)) out(l);
}

async function write({ conn, image }: Opened, addrText: string, values: string[], opts: { width: string }): Promise<void> {
  const addr = parseNumber(addrText, 'address', image);
  const width = Number(opts.width);
  if (![1, 2, 4].includes(width)) throw new UserError(`--width ${opts.width}: use 1, 2 or 4`);
  if (addr % width !== 0) throw new UserError(`write at ${hex32(addr)}: the address must be aligned to --width ${width}`);
  let a = addr;
  for (const t of values) {
    const v = parseNumber(t, 'value', image);
    if (width === 4) await conn.mem.write32(a, v);
    else if (width === 2) await conn.mem.write16(a, v);
    else await conn.mem.write8(a, v);
    a += width;
  }
  out(`wrote ${values.length} value(s) of ${width * 8} bits at ${hex32(addr)}`);
}

// ---- run control ----

async function where(conn: Connection, image?: ElfImage): Promise<string> {
  const pc = await conn.core.readRegister('pc');
  let sym = '';
  if (image) {
    const f = image.symbols.filter((s) => s.type === 2 && pc >= (s.value & ~1) && pc < (s.value & ~1) + Math.max(s.size, 2)).map((s) => `${s.name}+0x${(pc - (s.value & ~1)).toString(16)}`);
    if (f.length) sym = ` <${f[0]}>`;
  }
  return `pc ${hex32(pc)}${sym}`;
}

async function reset({ conn, image }: Opened, opts: { halt?: boolean; pin?: boolean }): Promise<void> {
  const pinReset = opts.pin
    ? async () => {
        await conn.dap.wire.setReset(true);
        await conn.dap.wire.setReset(false);
      }
    : undefined;
  await conn.core.reset({ halt: !!opts.halt, pinReset });
  if (opts.halt) {
    const r = await conn.core.haltReason();
    out(`reset; halted at the reset vector (${r.kind}), ${await where(conn, image)}`);
  } else out('reset; the core is running');
}

async function halt({ conn, image }: Opened): Promise<void> {
  const s = await conn.core.status();
  if (!s.halted) await conn.core.halt();
  const r = await conn.core.haltReason(false);
  const state = s.lockup ? ', it was locked up' : s.sleeping ? ', it was sleeping (WFI/WFE)' : '';
  out(`halted (${s.halted ? 'was already halted: ' + r.kind : 'halt request'}${state}), ${await where(conn, image)}`);
}

async function resume({ conn }: Opened): Promise<void> {
  await conn.core.resume();
  out('running');
}

async function step({ conn, image }: Opened, countText: string | undefined): Promise<void> {
  const n = countText === undefined ? 1 : parseNumber(countText, 'count');
  if (!(await conn.core.isHalted())) await conn.core.halt();
  for (let i = 0; i < n; i++) {
    await conn.core.step();
    out(await where(conn, image));
  }
}

const EXCEPTIONS = ['Thread', 'Reset', 'NMI', 'HardFault', 'MemManage', 'BusFault', 'UsageFault', '7', '8', '9', '10', 'SVCall', 'DebugMonitor', '13', 'PendSV', 'SysTick'];

async function regs({ conn, image }: Opened): Promise<void> {
  if (!(await conn.core.isHalted())) await conn.core.halt();
  const r = await conn.core.readRegisters(BASE_REGISTER_NAMES);
  const names = BASE_REGISTER_NAMES.slice(0, 16);
  for (let i = 0; i < names.length; i += 4) out(names.slice(i, i + 4).map((n) => `${n.padEnd(4)} ${hex32(r.get(n)!)}`).join('   '));
  const x = r.get('xpsr')!;
  const ipsr = x & 0x1ff;
  const flags = ['N', 'Z', 'C', 'V', 'Q'].map((f, i) => ((x >>> (31 - i)) & 1 ? f : f.toLowerCase())).join('');
  out(`xpsr ${hex32(x)}   flags ${flags}, T=${(x >>> 24) & 1}, exception ${ipsr} (${ipsr < 16 ? EXCEPTIONS[ipsr] : `IRQ ${ipsr - 16}`})`);
  out(`msp  ${hex32(r.get('msp')!)}   psp  ${hex32(r.get('psp')!)}`);
  out(`primask ${r.get('primask')}  basepri 0x${r.get('basepri')!.toString(16)}  faultmask ${r.get('faultmask')}  control 0x${r.get('control')!.toString(16)}`);
  const reason = await conn.core.haltReason(false);
  out(`halted: ${reason.kind}, ${await where(conn, image)}`);
}

export function registerDebug(program: Command): void {
  const common = (c: Command) =>
    addProbeOptions(c
      .option('-t, --target <spec>', TARGET_HELP))
      .option('--load <elf>', 'write this firmware through the debug port and stop at its reset vector')
      .option('--run-to <where>', 'then run to this symbol or address (a temporary breakpoint)')
      .option('--run-ms <ms>', 'then let the core run for this many milliseconds of host time');
  common(program.command('info').description('scan the target: DP, APs, ROM table, core, memory map')).action(action(info, 0));
  common(program.command('read').description('read memory and print a hexdump').argument('<address>', 'a number (0x... for hex) or, with --load, a symbol').argument('[length]', 'bytes (default 64)').option('-w, --width <bytes>', 'access width: 1, 2 or 4', '4')).action(action(read, 2));
  common(program.command('write').description('write 32-bit (or --width) values to memory').argument('<address>', 'a number (0x... for hex) or, with --load, a symbol').argument('<values...>', 'numbers (0x... for hex)').option('-w, --width <bytes>', 'access width: 1, 2 or 4', '4')).action(action(write, 2));
  common(program.command('reset').description('reset the target (AIRCR.SYSRESETREQ, or --pin for nRST)').option('--halt', 'halt at the reset vector (DEMCR.VC_CORERESET)').option('--pin', 'use the nRST pin')).action(action(reset, 0));
  common(program.command('halt').description('halt the core and show where')).action(action(halt, 0));
  common(program.command('resume').description('resume the core')).action(action(resume, 0));
  common(program.command('step').description('single-step instructions (interrupts masked)').argument('[count]', 'instructions (default 1)')).action(action(step, 1));
  common(program.command('regs').description('halt if needed and show the core registers')).action(action(regs, 0));
  common(
    program
      .command('swo')
      .description('capture SWO trace: set up the TPIU and ITM, print stimulus port 0 as text and other ports as values')
      .option('--baud <hz>', `SWO bit rate (default: the fastest up to ${DEFAULT_SWO_MAX_BAUD / 1e6}M that the TPIU makes from --traceclk)`)
      .option('--traceclk <hz>', "the target's TPIU clock, TRACECLKIN (a simulated board's is known; for hardware usually the core clock)")
      .option('--mode <mode>', 'uart (NRZ) or manchester', 'uart')
      .option('--ports <list>', 'stimulus ports to enable: 0,1,... or all', '0')
      .option('--duration <ms>', 'stop after this many milliseconds (default: at Ctrl-C)')
      .option('--raw <file>', 'also write the raw SWO bytes (ITM packets) to this file')
      .option('--no-resume', 'leave a halted core halted'),
  ).action(action((o: Opened, opts: Parameters<typeof swoCommand>[1]) => swoCommand(o, opts), 0));
  common(
    program
      .command('rtt')
      .description('RTT: the firmware\'s up channel on stdout, stdin to its down channel (SEGGER RTT control block, read through memory)')
      .option('--address <addr>', 'the control block (default: _SEGGER_RTT of --load, else a search)')
      .option('--search <start:length...>', 'RAM ranges to scan for the "SEGGER RTT" id (default: the chip\'s RAM)')
      .option('--channel <n>', 'up channel to show (default 0)')
      .option('--poll <ms>', 'poll interval (default 10)')
      .option('--duration <ms>', 'stop after this many milliseconds (default: at Ctrl-C)')
      .option('--no-resume', 'leave a halted core halted'),
  ).action(action((o: Opened, opts: Parameters<typeof rttCommand>[1]) => rttCommand(o, opts), 0));
}
