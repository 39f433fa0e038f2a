// Serve a probe session as a CMSIS-DAP device over TCP: what `tsprobe dap` runs, and what
// a combined server (gdb + DAP on one session) can call.
import type { ProbeSession } from '../probe/session.js';
import type { DapDeviceConfig } from './device-config.js';
import { sessionDapAttach, type DapWireLevel } from './session-device.js';
import { DEFAULT_DAP_TCP_PORT } from './tcp-framing.js';
import { DapTcpServer } from './tcp-server.js';

export interface ServeDapOptions {
  port?: number;
  /** Loopback unless the user asks for more. */
  host?: string;
  config?: Partial<DapDeviceConfig>;
  log?: (line: string) => void;
  /** 'bit': drive the simulated SWD wire one clock at a time (slower; exact at the pins). */
  wireLevel?: DapWireLevel;
}

export async function serveDap(session: ProbeSession, opts: ServeDapOptions = {}): Promise<{ server: DapTcpServer; port: number }> {
  const server = new DapTcpServer({ attach: sessionDapAttach(session, opts.config ?? {}, opts.log, opts.wireLevel), log: opts.log });
  const port = await server.listen(opts.port ?? DEFAULT_DAP_TCP_PORT, opts.host ?? '127.0.0.1');
  return { server, port };
}
