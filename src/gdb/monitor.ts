// `monitor ...` commands (qRcmd): what Black Magic Probe users type, plus OpenOCD's
// names for the same things. Output goes back as text; an unknown command answers with
// the list of commands rather than an error number, so the user learns what exists.

import { hex8, leBytesToNumber, numberToLeBytes } from './hex.js';
import { MemoryFault, TargetError, type DebugTarget } from './target.js';

export interface MonitorContext {
  readonly target: DebugTarget;
  readonly version: string;
  /** Registers or run state changed behind gdb's back: drop cached values. */
  invalidate(): void;
}

interface Command {
  readonly names: readonly string[];
  readonly usage: string;
  readonly help: string;
  run(ctx: MonitorContext, args: string[]): Promise<string>;
}

const VECTOR_CATCH_NAMES = ['hard', 'int', 'bus', 'stat', 'chk', 'nocp', 'mm', 'reset'];

/** strtoul(s, 0): 0x hex, leading-0 octal is not used by anyone here, else decimal. */
export function parseNumber(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim().toLowerCase();
  if (/^0x[0-9a-f]{1,8}$/.test(t)) return parseInt(t.slice(2), 16) >>> 0;
  if (/^[0-9]{1,10}$/.test(t)) {
    const v = parseInt(t, 10);
    return v <= 0xffffffff ? v : null;
  }
  return null;
}

function usage(cmd: Command): string {
  return `usage: ${cmd.usage}\n`;
}

const COMMANDS: Command[] = [
  {
    names: ['help'],
    usage: 'help',
    help: 'list the commands',
    run: async (ctx) => helpText(ctx),
  },
  {
    names: ['version'],
    usage: 'version',
    help: 'tsprobe version and target',
    run: async (ctx) => `${ctx.version}\nTarget: ${ctx.target.description}\n`,
  },
  {
    names: ['swdp_scan', 'swd_scan'],
    usage: 'swdp_scan',
    help: 'scan the SWD bus for targets',
    run: async (ctx) => {
      const found = ctx.target.monitor?.scan ? await ctx.target.monitor.scan() : [ctx.target.description];
      if (found.length === 0) return 'SW-DP scan found no targets\n';
      return `Available Targets:\nNo. Att Driver\n${found.map((t, i) => ` ${i + 1}   *  ${t}`).join('\n')}\n`;
    },
  },
  {
    names: ['targets'],
    usage: 'targets',
    help: 'list the known targets',
    run: async (ctx) => {
      const list = ctx.target.monitor?.targets ? await ctx.target.monitor.targets() : [ctx.target.description];
      return `Available Targets:\nNo. Att Driver\n${list.map((t, i) => ` ${i + 1}   *  ${t}`).join('\n')}\n`;
    },
  },
  {
    names: ['reset'],
    usage: 'reset [halt]',
    help: 'reset the target; with "halt" it stops before the first instruction',
    run: async (ctx, args) => {
      const halt = args[0] === 'halt' || args[0] === 'init';
      if (args.length > 0 && !halt && args[0] !== 'run') return usage(COMMANDS.find((c) => c.names[0] === 'reset')!);
      await ctx.target.reset(halt);
      ctx.invalidate();
      return halt ? 'Target reset and halted\n' : 'Target reset and running\n';
    },
  },
  {
    names: ['halt'],
    usage: 'halt',
    help: 'halt the target',
    run: async (ctx) => {
      await ctx.target.halt();
      ctx.invalidate();
      return 'Target halted\n';
    },
  },
  {
    names: ['resume'],
    usage: 'resume',
    help: 'let the target run (gdb still believes it is halted)',
    run: async (ctx) => {
      ctx.invalidate();
      await ctx.target.resume();
      return 'Target running\n';
    },
  },
  {
    names: ['erase_mass'],
    usage: 'erase_mass',
    help: 'erase the whole flash',
    run: async (ctx) => {
      const flash = ctx.target.flash;
      if (!flash?.eraseMass) return 'erase_mass: this target has no mass erase\n';
      await flash.eraseMass();
      return 'Flash erased\n';
    },
  },
  {
    names: ['erase_range'],
    usage: 'erase_range ADDR LEN',
    help: 'erase the flash blocks covering ADDR..ADDR+LEN',
    run: async (ctx, args) => {
      const addr = parseNumber(args[0]);
      const len = parseNumber(args[1]);
      if (addr === null || len === null || len === 0) return usage(COMMANDS.find((c) => c.names[0] === 'erase_range')!);
      const flash = ctx.target.flash;
      if (!flash) return 'erase_range: this target has no flash driver\n';
      await flash.erase(addr, len);
      await flash.done();
      return `Erased 0x${hex8(addr)}..0x${hex8(addr + len)}\n`;
    },
  },
  {
    names: ['vector_catch'],
    usage: `vector_catch enable|disable ${VECTOR_CATCH_NAMES.join('|')}...`,
    help: 'halt when the core takes these exceptions',
    run: async (ctx, args) => {
      const self = COMMANDS.find((c) => c.names[0] === 'vector_catch')!;
      const hook = ctx.target.monitor?.vectorCatch;
      if (!hook) return 'vector_catch: not supported by this target\n';
      if (args.length === 0) return `Catching: ${(await hook(true, [])).join(' ') || '(none)'}\n` + usage(self);
      const mode = args[0];
      const names = args.slice(1);
      if ((mode !== 'enable' && mode !== 'disable') || names.some((n) => !VECTOR_CATCH_NAMES.includes(n))) return usage(self);
      const now = await hook(mode === 'enable', names);
      return `Catching: ${now.join(' ') || '(none)'}\n`;
    },
  },
  {
    names: ['halt_timeout'],
    usage: 'halt_timeout [MS]',
    help: 'how long to wait for the core to halt',
    run: async (ctx, args) => {
      const hook = ctx.target.monitor?.haltTimeout;
      if (!hook) return 'halt_timeout: not supported by this target\n';
      const ms = args.length ? parseNumber(args[0]) : undefined;
      if (ms === null) return usage(COMMANDS.find((c) => c.names[0] === 'halt_timeout')!);
      return `Halt timeout: ${await hook(ms)} ms\n`;
    },
  },
  {
    names: ['frequency'],
    usage: 'frequency [HZ]',
    help: 'set or show the wire clock',
    run: async (ctx, args) => {
      const hook = ctx.target.monitor?.frequency;
      if (!hook) return 'frequency: not supported by this probe\n';
      let hz: number | undefined;
      if (args.length) {
        // Accept 4000000, 4M, 400k as BMP does.
        const m = /^([0-9]+)([kKmM]?)$/.exec(args[0]!);
        if (!m) return usage(COMMANDS.find((c) => c.names[0] === 'frequency')!);
        hz = parseInt(m[1]!, 10) * (m[2]!.toLowerCase() === 'k' ? 1000 : m[2]!.toLowerCase() === 'm' ? 1_000_000 : 1);
      }
      return `Frequency: ${await hook(hz)} Hz\n`;
    },
  },
  {
    names: ['connect_rst', 'connect_srst'],
    usage: 'connect_rst [enable|disable]',
    help: 'hold nRST while attaching and resetting (catches firmware that turns SWD off)',
    run: async (ctx, args) => {
      const hook = ctx.target.monitor?.connectReset;
      if (!hook) return 'connect_rst: not supported by this probe\n';
      if (args.length && args[0] !== 'enable' && args[0] !== 'disable') return usage(COMMANDS.find((c) => c.names[0] === 'connect_rst')!);
      const on = await hook(args.length ? args[0] === 'enable' : undefined);
      return `Assert nRST during connect: ${on ? 'enabled' : 'disabled'}\n`;
    },
  },
  {
    names: ['reg'],
    usage: 'reg [NAME [VALUE]]',
    help: 'show or set a core register',
    run: async (ctx, args) => {
      const regs = ctx.target.registers;
      if (args.length === 0) {
        const all = await ctx.target.readRegisters();
        let off = 0;
        let out = '';
        for (const r of regs) {
          const size = r.bitsize / 8;
          out += `${r.name.padEnd(10)} 0x${leBytesToNumber(all.subarray(off, off + size)).toString(16).padStart(size * 2, '0')}\n`;
          off += size;
        }
        return out;
      }
      const reg = regs.find((r) => r.name === args[0]!.toLowerCase());
      if (!reg) return `reg: no register '${args[0]}'; registers: ${regs.map((r) => r.name).join(' ')}\n`;
      const size = reg.bitsize / 8;
      if (args.length >= 2) {
        const v = parseNumber(args[1]);
        if (v === null) return usage(COMMANDS.find((c) => c.names[0] === 'reg')!);
        await ctx.target.writeRegister(reg.regnum, numberToLeBytes(v, size));
        ctx.invalidate();
      }
      const value = leBytesToNumber(await ctx.target.readRegister(reg.regnum));
      return `${reg.name} = 0x${value.toString(16).padStart(size * 2, '0')}\n`;
    },
  },
  {
    names: ['mdw'],
    usage: 'mdw ADDR [COUNT]',
    help: 'display memory words',
    run: async (ctx, args) => {
      const addr = parseNumber(args[0]);
      const count = args.length > 1 ? parseNumber(args[1]) : 1;
      if (addr === null || count === null || count === 0 || count > 1024) return usage(COMMANDS.find((c) => c.names[0] === 'mdw')!);
      const data = await ctx.target.readMemory(addr, count * 4);
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      let out = '';
      for (let i = 0; i < count; i++) {
        if (i % 4 === 0) out += `${i ? '\n' : ''}0x${hex8(addr + i * 4)}:`;
        out += ` ${hex8(view.getUint32(i * 4, true))}`;
      }
      return out + '\n';
    },
  },
  {
    names: ['mww'],
    usage: 'mww ADDR VALUE',
    help: 'write a memory word',
    run: async (ctx, args) => {
      const addr = parseNumber(args[0]);
      const value = parseNumber(args[1]);
      if (addr === null || value === null) return usage(COMMANDS.find((c) => c.names[0] === 'mww')!);
      await ctx.target.writeMemory(addr, numberToLeBytes(value, 4));
      ctx.invalidate();
      return '';
    },
  },
];

function helpText(ctx: MonitorContext): string {
  let out = 'General commands:\n';
  for (const c of COMMANDS) out += `\t${c.usage.padEnd(28)} -- ${c.help}\n`;
  const extra = ctx.target.monitor?.help?.() ?? [];
  if (extra.length) out += `Target commands:\n${extra.map((l) => `\t${l}\n`).join('')}`;
  return out;
}

/** Runs one monitor command line; returns the text to show. Never throws. */
export async function runMonitorCommand(ctx: MonitorContext, line: string): Promise<string> {
  const words = line.trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return helpText(ctx);
  const [name, ...args] = words as [string, ...string[]];
  const cmd = COMMANDS.find((c) => c.names.includes(name.toLowerCase()));
  try {
    if (cmd) return await cmd.run(ctx, args);
    const targetOwn = ctx.target.monitor?.command ? await ctx.target.monitor.command(name, args, line.trimStart().slice(name.length).trimStart()) : null;
    if (targetOwn !== null) return targetOwn;
    return `Unknown command '${name}'.\n${helpText(ctx)}`;
  } catch (e) {
    if (e instanceof MemoryFault || e instanceof TargetError) return `${name}: ${e.message}\n`;
    return `${name} failed: ${e instanceof Error ? e.message : String(e)}\n`;
  }
}
