// What `--probe` names: `tcp://HOST:PORT` (a CMSIS-DAP TCP server such as `tsprobe dap`),
// `usb:VID:PID[:SERIAL]` (hex ids), or a bare serial number of an attached USB probe.

export type ProbeSpec =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'usb'; vendorId: number; productId: number; serial?: string }
  | { kind: 'serial'; serial: string };

export class ProbeSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeSpecError';
  }
}

const FORMS = 'use tcp://HOST:PORT, usb:VID:PID[:SERIAL] (hex ids, e.g. usb:0d28:0204) or a probe serial number from `tsprobe list`';

export function parseProbeSpec(text: string): ProbeSpec {
  const t = text.trim();
  if (!t) throw new ProbeSpecError(`--probe is empty: ${FORMS}`);
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/i.exec(t);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) throw new ProbeSpecError(`--probe ${text}: port ${tcp[2]} is not a TCP port (1-65535)`);
    return { kind: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port };
  }
  if (/^tcp:/i.test(t)) throw new ProbeSpecError(`--probe ${text}: expected tcp://HOST:PORT`);
  if (/^usb:/i.test(t)) {
    const m = /^usb:([0-9a-f]{1,4}):([0-9a-f]{1,4})(?::(.+))?$/i.exec(t);
    if (!m) throw new ProbeSpecError(`--probe ${text}: expected usb:VID:PID[:SERIAL] with hex ids, e.g. usb:2e8a:000c`);
    return { kind: 'usb', vendorId: parseInt(m[1], 16), productId: parseInt(m[2], 16), ...(m[3] ? { serial: m[3] } : {}) };
  }
  if (/^sim:/i.test(t)) throw new ProbeSpecError(`--probe ${text}: simulated boards are chosen with --target ${t}`);
  if (/[\s/]/.test(t)) throw new ProbeSpecError(`--probe ${text}: ${FORMS}`);
  return { kind: 'serial', serial: t };
}
