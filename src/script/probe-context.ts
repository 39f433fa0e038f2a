// What the scripting faces share on one open target: the Target API, the gdb adapter
// (registers in gdb's order, target description, halt polling: what the old probe's
// `target` module exposed), and the servers a script may start (bmp.init, dap.init) or
// `tsprobe serve` starts. `monitor python` / `monitor js` reach the script contexts
// registered here.
import { createGdbTarget, type CortexMTarget } from '../gdb/cortexm-target.js';
import { GdbServer, DEFAULT_GDB_PORT } from '../gdb/server.js';
import { serveDap } from '../dap/serve.js';
import type { DapTcpServer } from '../dap/tcp-server.js';
import type { DapDeviceConfig } from '../dap/device-config.js';
import { DEFAULT_DAP_TCP_PORT } from '../dap/tcp-framing.js';
import type { Target } from './target.js';
import { ScriptError } from './target.js';

export const GDB_VERSION = 'tsprobe 0.1.0 GDB server';

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

export type Evaluator = (expr: string) => Promise<string>;

export class ProbeContext {
  private adapterPromise: Promise<CortexMTarget> | null = null;
  gdb: { server: GdbServer; port: number } | null = null;
  dap: { server: DapTcpServer; port: number } | null = null;
  /** `monitor python <expr>` and `monitor js <expr>` evaluate here. */
  readonly evaluators: { python?: Evaluator; js?: Evaluator } = {};
  /** Log lines (server messages); serve prints them, tests collect them. */
  log: (line: string) => void = () => {};
  debug = false;
  /** Where the gdb server listens (monitor python/js only answer on loopback). */
  private gdbHost = '127.0.0.1';
  /** Identity strings and packet sizes of the CMSIS-DAP face. */
  dapConfig: Partial<DapDeviceConfig> = {};

  constructor(readonly target: Target) {}

  /** The gdb-facing adapter on the same connection (created once). */
  adapter(): Promise<CortexMTarget> {
    this.adapterPromise ??= createGdbTarget(this.target.conn, { where: this.target.session.description, semihosting: false, vectorCatch: [] }).then(({ target: a }) => {
      const hooks = a.monitor;
      const previous = hooks.command?.bind(hooks);
      hooks.command = async (cmd, args, rest) => {
        const lang = cmd.toLowerCase();
        if (lang === 'python' || lang === 'js') {
          // These run code in this process: only for a gdb on this computer.
          if (!LOOPBACK.includes(this.gdbHost)) return `monitor ${lang} is disabled while the gdb server listens on ${this.gdbHost}: anyone who can connect could run code on this computer\n`;
          const ev = this.evaluators[lang];
          if (!ev) return `monitor ${lang}: no ${lang === 'python' ? 'MicroPython' : 'JavaScript'} context in this probe (run 'tsprobe serve')\n`;
          try {
            const out = await ev(rest ?? args.join(' ')); // as typed: the words would lose repeated spaces in string literals
            return out.endsWith('\n') || out === '' ? out : out + '\n';
          } catch (e) {
            return `${(e as Error).message.replace(/\n?$/, '\n')}`;
          }
        }
        return previous ? previous(cmd, args, rest) : null;
      };
      const help = hooks.help?.bind(hooks);
      hooks.help = () => [...(help?.() ?? []), 'python <expr>                -- evaluate in the probe\'s MicroPython', 'js <expr>                    -- evaluate in the probe\'s JavaScript context'];
      return a;
    });
    return this.adapterPromise;
  }

  async startGdb(port = DEFAULT_GDB_PORT, host = '127.0.0.1'): Promise<number> {
    if (this.gdb) await this.stopGdb();
    this.gdbHost = host;
    const server = new GdbServer(await this.adapter(), { host, port, version: GDB_VERSION, log: (m) => this.log(m), trace: this.debug });
    let addr: { port: number };
    try {
      addr = await server.listen();
    } catch (e) {
      throw new ScriptError(`cannot start the gdb server on ${host}:${port}: ${(e as Error).message}`);
    }
    this.gdb = { server, port: addr.port };
    this.log(`gdb server for ${this.target.session.description} listening on ${host}:${addr.port}`);
    return addr.port;
  }

  async stopGdb(): Promise<void> {
    const g = this.gdb;
    this.gdb = null;
    await g?.server.close();
  }

  async startDap(port = DEFAULT_DAP_TCP_PORT, host = '127.0.0.1'): Promise<number> {
    if (this.dap) await this.stopDap();
    try {
      this.dap = await serveDap(this.target.session, { port, host, config: this.dapConfig, log: (m) => this.log(m) });
    } catch (e) {
      throw new ScriptError(`cannot start the CMSIS-DAP server on ${host}:${port}: ${(e as Error).message}`);
    }
    this.log(`CMSIS-DAP (TCP) for ${this.target.session.description} listening on ${host}:${this.dap.port}`);
    return this.dap.port;
  }

  async stopDap(): Promise<void> {
    const d = this.dap;
    this.dap = null;
    await d?.server.close();
  }

  async close(): Promise<void> {
    await this.stopGdb();
    await this.stopDap();
  }
}
