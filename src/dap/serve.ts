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

/**
 * Packets a host may keep in flight over TCP (v2 flavour, unless the caller says). The
 * server answers a few at a time while it runs the rest, so a host refills as answers
 * come: 32 keeps both processes busy (1 MiB of block writes from tsprobe's own host:
 * ~10% faster than 16, ~25% faster than 8). USB probes say 4; nothing here limits TCP.
 */
export const TCP_PACKET_COUNT = 32;

export async function serveDap(session: ProbeSession, opts: ServeDapOptions = {}): Promise<{ server: DapTcpServer; port: number }> {
  const given = opts.config ?? {};
  const v1 = given.flavour === 'v1' || (given.flavour === undefined && given.packetSize !== undefined && given.packetSize <= 64);
  const config = v1 || given.packetCount !== undefined ? given : { ...given, packetCount: TCP_PACKET_COUNT };
  const server = new DapTcpServer({ attach: sessionDapAttach(session, config, opts.log, opts.wireLevel), log: opts.log });
  const port = await server.listen(opts.port ?? DEFAULT_DAP_TCP_PORT, opts.host ?? '127.0.0.1');
  return { server, port };
}
