// One way for every command to open what it debugs: `--probe` (a CMSIS-DAP probe over
// TCP or USB), `--target sim:<board>`, or, with neither, the one USB probe attached, and
// with none attached the simulated default board.
import { CmsisDapWire, type CmsisDapWireOptions } from '../wire/cmsis-dap/cmsis-dap-wire.js';
import { TcpDapTransport } from '../wire/cmsis-dap/tcp-transport.js';
import { TransportError, type TransportOpener } from '../wire/cmsis-dap/transport.js';
import { hex4 } from '../wire/cmsis-dap/hid-transport.js';
import { WireError } from '../wire/debug-wire.js';
import { ProbeSession, type SessionOptions } from './session.js';
import { parseProbeSpec, ProbeSpecError, type ProbeSpec } from './probe-spec.js';
import { scanUsbProbes, type UsbProbe } from './usb-probes.js';
import { DEFAULT_TARGET, TargetSpecError } from './target-spec.js';

export interface TargetSelection {
  /** `sim:<board>`; undefined when the user gave none. */
  target?: string;
  /** `--probe` text. */
  probe?: string;
  /** `--frequency`: SWD clock, e.g. 4000000, 4M, 500k. */
  frequency?: string;
}

export interface OpenTargetOptions extends SessionOptions {
  /** Progress lines ("using the only probe attached: ..."). */
  log?: (line: string) => void;
  /** Settings for a CMSIS-DAP wire. */
  wire?: CmsisDapWireOptions;
  /** Look for USB probes when neither --probe nor --target is given (default true). */
  autodetect?: boolean;
}

/** Errors of selection (bad --probe, probe not found, link down): one line for the user. */
export class ProbeOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeOpenError';
  }
}

export function parseFrequency(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmM]?)(?:hz)?$/i.exec(text.trim());
  const hz = m ? Math.round(Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1)) : NaN;
  if (!Number.isFinite(hz) || hz < 1 || hz > 0xffffffff) throw new ProbeOpenError(`--frequency ${text}: expected a clock in Hz, e.g. 4000000, 4M or 500k`);
  return hz;
}

export async function openTarget(sel: TargetSelection, opts: OpenTargetOptions = {}): Promise<ProbeSession> {
  if (sel.probe !== undefined && sel.target !== undefined) {
    throw new ProbeOpenError(`--probe ${sel.probe} and --target ${sel.target} name two targets: give one (--target is for simulated boards)`);
  }
  const wireOpts: CmsisDapWireOptions = { ...opts.wire, ...(sel.frequency !== undefined ? { clockHz: parseFrequency(sel.frequency) } : {}) };
  if (sel.probe !== undefined) {
    let spec: ProbeSpec;
    try {
      spec = parseProbeSpec(sel.probe);
    } catch (e) {
      if (e instanceof ProbeSpecError) throw new ProbeOpenError(e.message);
      throw e;
    }
    return ProbeSession.onWire(await openProbeWire(spec, wireOpts, opts.log), opts);
  }
  if (sel.target === undefined && opts.autodetect !== false && !process.env.TSPROBE_NO_USB_SCAN) {
    const { probes } = await scanUsbProbes();
    if (probes.length === 1) {
      const p = probes[0];
      opts.log?.(`using the only CMSIS-DAP probe attached: ${describeUsbProbe(p)} (--target sim:<board> for a simulated one)`);
      return ProbeSession.onWire(await openWire(() => p.open(), wireOpts, opts.log), opts);
    }
    for (const p of probes) p.release();
    if (probes.length > 1) {
      throw new ProbeOpenError(`${probes.length} CMSIS-DAP probes are attached: choose one with --probe SERIAL (${probes.map((p) => p.serial || `usb:${hex4(p.vendorId)}:${hex4(p.productId)}`).join(', ')}), or --target sim:<board>`);
    }
  }
  try {
    return ProbeSession.open(sel.target ?? DEFAULT_TARGET, opts);
  } catch (e) {
    if (e instanceof TargetSpecError) throw new ProbeOpenError(e.message);
    throw e;
  }
}

export function describeUsbProbe(p: UsbProbe): string {
  return `usb:${hex4(p.vendorId)}:${hex4(p.productId)}${p.serial ? ':' + p.serial : ''} ${[p.manufacturer, p.product].filter(Boolean).join(' ')} (${p.kind === 'hid' ? 'HID, v1' : 'bulk, v2'})`;
}

async function openWire(opener: TransportOpener, wireOpts: CmsisDapWireOptions, log?: (l: string) => void): Promise<CmsisDapWire> {
  try {
    return await CmsisDapWire.open(opener, { log, ...wireOpts });
  } catch (e) {
    if (e instanceof TransportError || e instanceof WireError) throw new ProbeOpenError(e.message);
    throw e;
  }
}

/** Open the CMSIS-DAP wire of the probe `spec` names. */
export async function openProbeWire(spec: ProbeSpec, wireOpts: CmsisDapWireOptions = {}, log?: (l: string) => void): Promise<CmsisDapWire> {
  if (spec.kind === 'tcp') return openWire(() => TcpDapTransport.open(spec.host, spec.port), wireOpts, log);
  const matches = (p: UsbProbe) =>
    spec.kind === 'serial' ? p.serial === spec.serial : p.vendorId === spec.vendorId && p.productId === spec.productId && (spec.serial === undefined || p.serial === spec.serial);
  // Found again by the same criteria on a reconnect (the probe may have been replugged).
  const opener: TransportOpener = async () => {
    const { probes, notes } = await scanUsbProbes();
    const found = probes.filter(matches);
    for (const p of probes) if (p !== found[0]) p.release();
    if (found.length === 0) {
      const seen = probes.length ? `attached: ${probes.map(describeUsbProbe).join('; ')}` : 'no CMSIS-DAP probe is attached';
      throw new TransportError(`no CMSIS-DAP probe matches --probe ${describeSpec(spec)} (${seen}${notes.length ? '; ' + notes.join('; ') : ''})`);
    }
    if (found.length > 1) throw new TransportError(`${found.length} probes match --probe ${describeSpec(spec)}: add the serial number (usb:VID:PID:SERIAL; see tsprobe list)`);
    return found[0].open();
  };
  return openWire(opener, wireOpts, log);
}

function describeSpec(spec: ProbeSpec): string {
  if (spec.kind === 'serial') return spec.serial;
  if (spec.kind === 'tcp') return `tcp://${spec.host}:${spec.port}`;
  return `usb:${hex4(spec.vendorId)}:${hex4(spec.productId)}${spec.serial ? ':' + spec.serial : ''}`;
}
