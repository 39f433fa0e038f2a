// The main-thread half of the `target`, `bmp` and `dap` Python modules: each named call
// from the worker becomes one async operation on the Target, the gdb adapter or the
// probe context. Errors are returned as "Kind:message" for Python to raise.
import type { ProbeContext } from '../probe-context.js';
import { ScriptError } from '../target.js';
import { targetDescriptionXml, memoryMapXml } from '../../gdb/target-xml.js';
import type { HaltReason } from '../../gdb/target.js';
import { hex32 } from '../../arch/register.js';

type Fn = (...args: never[]) => Promise<unknown> | unknown;

const toHex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

const HALT_NAMES = ['RUNNING', 'ERROR', 'REQUEST', 'STEPPING', 'BREAKPOINT', 'WATCHPOINT', 'FAULT'];

function haltTuple(r: HaltReason | null): [number, string, number] {
  const code = r === null ? 0 : r.kind === 'interrupt' ? 2 : r.kind === 'step' ? 3 : r.kind === 'breakpoint' ? 4 : r.kind === 'watchpoint' ? 5 : r.kind === 'fault' ? 6 : 1;
  const addr = r?.kind === 'watchpoint' ? r.address >>> 0 : 0;
  return [code, HALT_NAMES[code], addr | 0];
}

export function pythonServices(ctx: ProbeContext): Record<string, Fn> {
  const t = ctx.target;
  let attached = true;
  const need = () => {
    if (!attached) throw new ScriptError('not attached: call target.attach() first');
  };
  const adapter = () => ctx.adapter();
  const BW = ['sw', 'hw', 'write', 'read', 'access'] as const;
  const bwType = (type: number) => {
    const k = BW[type];
    if (k === undefined) throw new ScriptError(`breakwatch type ${type}: use BREAK_SOFT, BREAK_HARD, WATCH_WRITE, WATCH_READ or WATCH_ACCESS`);
    return k;
  };
  const s: Record<string, Fn> = {
    swdp_scan: () => [`${t.info().core} on ${t.session.description}, DPIDR ${hex32(t.info().dpidr)}`],
    attach: (n: number) => {
      if (n !== 1) throw new ScriptError(`attach(${n}): there is one target on this probe; use attach(1)`);
      attached = true;
      return true;
    },
    detach: () => {
      attached = false;
    },
    reattach: () => (attached = true),
    attached: () => attached,
    driver_name: () => (need(), `${t.info().core} (${t.info().board})`),
    core_name: () => (need(), t.info().core),
    mem_map: () =>
      t.memoryMap()
        .filter((m) => m.type === 'ram' || m.type === 'flash')
        .map((m) => ({ memory_type: m.type, start: m.start | 0, length: m.length | 0, ...(m.blockSize ? { blocksize: m.blockSize } : {}) })),
    mem_map_xml: () => memoryMapXml(t.memoryMap().filter((m) => m.type === 'ram' || m.type === 'flash').map((m) => ({ type: m.type as 'ram' | 'flash', start: m.start, length: m.length, blockSize: m.blockSize }))),
    mem_read: async (addr: number, len: number) => (need(), t.readBlock(addr >>> 0, len)), // bytes: target.py calls it with call_bytes
    mem_write: async (addr: number, bytes: Uint8Array | string) => (need(), await t.writeBlock(addr >>> 0, typeof bytes === 'string' ? fromHex(bytes) : bytes)),
    flash_erase: (addr: number, len: number) => t.flashErase(addr >>> 0, len),
    flash_write: (addr: number, hex: string) => t.flashProgram(addr >>> 0, fromHex(hex)),
    flash_done: () => t.flashDone(),
    flash_image: async (file: string, verify: boolean, eraseAll: boolean) => {
      const r = await t.flashImage(file, { verify, eraseAll });
      return { erased: r.erasedBytes, programmed: r.programmedBytes, verified: r.verifiedBytes };
    },
    tdesc_xml: async () => targetDescriptionXml((await adapter()).registers),
    regs_size: async () => (await adapter()).registers.reduce((n, r) => n + r.bitsize / 8, 0),
    regs_read: async (len: number) => {
      need();
      if (!(await t.isHalted())) throw new ScriptError('regs_read: the target is not halted; call halt_request() first');
      const b = await (await adapter()).readRegisters();
      if (len !== b.length) throw new ScriptError(`regs_read: the buffer has ${len} bytes; regs_size() is ${b.length}`);
      return toHex(b);
    },
    regs_write: async (hex: string) => {
      need();
      const a = await adapter();
      const b = fromHex(hex);
      const size = a.registers.reduce((n, r) => n + r.bitsize / 8, 0);
      if (b.length !== size) throw new ScriptError(`regs_write: the buffer has ${b.length} bytes; regs_size() is ${size}`);
      await a.writeRegisters(b);
    },
    reg_read: async (n: number, len: number) => {
      need();
      const a = await adapter();
      if (!a.registers.some((r) => r.regnum === n)) throw new ScriptError(`reg_read: no register number ${n} (see tdesc_xml())`);
      if (!(await t.isHalted())) throw new ScriptError('reg_read: the target is not halted; call halt_request() first');
      const b = await a.readRegister(n);
      if (len < b.length) throw new ScriptError(`reg_read: register ${n} has ${b.length} bytes; the buffer has ${len}`);
      return toHex(b);
    },
    reg_write: async (n: number, hex: string) => {
      need();
      const a = await adapter();
      if (!a.registers.some((r) => r.regnum === n)) throw new ScriptError(`reg_write: no register number ${n} (see tdesc_xml())`);
      await a.writeRegister(n, fromHex(hex));
    },
    regs: async () => Object.fromEntries(Object.entries(await t.regs()).map(([k, v]) => [k, v | 0])),
    reg: async (name: string) => (await t.reg(name)) | 0,
    set_reg: (name: string, v: number) => t.setReg(name, v >>> 0),
    reset: (halt: boolean) => t.reset({ halt }),
    halt_request: () => (need(), t.halt()),
    halt_poll: async () => (need(), haltTuple(await (await adapter()).poll())),
    halt_resume: async (step: boolean) => {
      need();
      if (step) await (await adapter()).step();
      else await (await adapter()).resume();
    },
    wait_halt: (ms: number) => t.waitForHalt(ms),
    breakwatch_set: async (type: number, addr: number, len: number) => {
      const k = bwType(type);
      const a = await adapter();
      if (k === 'sw' || k === 'hw') await a.addBreakpoint(k, addr >>> 0);
      else await a.addWatchpoint(k, addr >>> 0, len);
    },
    breakwatch_clear: async (type: number, addr: number, len: number) => {
      const k = bwType(type);
      const a = await adapter();
      if (k === 'sw' || k === 'hw') await a.removeBreakpoint(k, addr >>> 0);
      else await a.removeWatchpoint(k, addr >>> 0, len);
    },
    symbol: (name: string) => t.symbol(name) | 0,
    bmp_init: (port: number) => ctx.startGdb(port),
    bmp_deinit: () => ctx.stopGdb(),
    bmp_debug: () => (ctx.debug = !ctx.debug),
    bmp_tracebuf: async (on: boolean, cb: number[]) => {
      if (!on) {
        await t.stopRing();
        return 'tracebuf off';
      }
      const [buffer, size, writeIndex, readIndex] = cb.map((v) => v >>> 0);
      await t.traceRing({ buffer, size, writeIndex, readIndex });
      return `tracebuf on: ${size} bytes at 0x${buffer.toString(16)}`;
    },
    bmp_traceswo: async (on: boolean, baud: number, chans: number[]) => {
      if (!on) {
        await t.stopSwo();
        return 'SWO trace off';
      }
      const r = await t.traceSwo({ baud: baud > 0 ? baud : undefined, ports: chans.length ? chans : [0] });
      return `SWO trace on: ${r.probeBaud} baud${r.tpiu ? `, TPIU prescaler ${r.tpiu.prescaler}` : ''}`;
    },
    dap_init: (port: number) => ctx.startDap(port),
    dap_deinit: () => ctx.stopDap(),
  };
  return s;
}
