// The GDB server: a TCP listener that serves one gdb at a time on one debug target and
// stays up across sessions (extended-remote, detach and reconnect). A second client
// while one is connected gets an error reply to its first packet and is closed; the
// first is not disturbed.

import net from 'node:net';
import { RspConnection } from './rsp-connection.js';
import { GdbSession, DEFAULT_PACKET_SIZE } from './session.js';
import type { DebugTarget } from './target.js';

export interface GdbServerOptions {
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port?: number;
  readonly version?: string;
  readonly packetSize?: number;
  readonly log?: (msg: string) => void;
  readonly trace?: boolean;
}

export const DEFAULT_GDB_PORT = 3333;

export class GdbServer {
  private server: net.Server | null = null;
  private active: GdbSession | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly log: (msg: string) => void;
  /** Every packet any client got an empty reply to (unsupported), for the report. */
  readonly unsupported = new Set<string>();
  /** Sessions served so far. */
  sessions = 0;

  constructor(
    private readonly target: DebugTarget,
    private readonly opts: GdbServerOptions = {},
  ) {
    this.log = opts.log ?? (() => {});
  }

  /** Starts listening; resolves with the address actually bound. */
  listen(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    const port = this.opts.port ?? DEFAULT_GDB_PORT;
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.accept(socket));
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (e) => this.log(`gdb server error: ${e.message}`));
        this.server = server;
        const a = server.address() as net.AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  get connected(): boolean {
    return this.active !== null;
  }

  /** Stops listening and drops every client; the target is left halted. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    const session = this.active;
    for (const s of this.sockets) s.destroy();
    if (session) await session.finished;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    if (this.active) {
      this.log(`refused gdb client ${peer}: another client is connected`);
      this.refuse(socket);
      return;
    }
    this.log(`gdb client ${peer} connected`);
    this.sessions++;
    const session = new GdbSession(socket, {
      target: this.target,
      version: this.opts.version ?? 'tsprobe',
      packetSize: this.opts.packetSize ?? DEFAULT_PACKET_SIZE,
      log: this.log,
      trace: this.opts.trace,
    });
    this.active = session;
    void session.attach();
    void session.finished.then(() => {
      for (const p of session.unsupported) this.unsupported.add(p);
      if (this.active === session) this.active = null;
      this.log(`gdb client ${peer} disconnected`);
    });
  }

  /** Answers the first packet of an extra client with an error and hangs up. */
  private refuse(socket: net.Socket): void {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.close();
    };
    const conn = new RspConnection(
      socket,
      {
        packet: () => {
          // gdb prints this as "Remote failure reply: E.tsprobe: ..."
          conn.send('E.tsprobe: probe busy: another gdb client is connected');
          finish();
        },
        interrupt: () => {},
        close: () => finish(),
      },
      DEFAULT_PACKET_SIZE,
    );
    // A client that never speaks is dropped after a while.
    const timer = setTimeout(finish, 3000);
  }
}
