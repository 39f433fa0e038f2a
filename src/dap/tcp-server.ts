// The CMSIS-DAP device over TCP (upstream OpenOCD's `cmsis-dap backend tcp` framing).
// One host at a time: a host owns the wire while connected (DESIGN.md, arbitration); a
// second connection is closed at once with a log line saying who holds the probe.
// Bad input never stops the server: a frame of the wrong type gets the 0xFF reply, a
// broken stream (bad signature) closes that connection, and the next host is served.
import { createServer, type Server, type Socket } from 'node:net';
import type { DapProcessor } from './processor.js';
import { Cmd } from './protocol.js';
import { encodeFrame, FrameDecoder, FrameType, FramingError, type Frame } from './tcp-framing.js';

/** What the server gets for a connected host: a processor, and how to let go of the wire. */
export interface DapHostAttachment {
  processor: DapProcessor;
  detach(): Promise<void> | void;
}

export interface DapTcpServerOptions {
  /** Called for a new host ("CMSIS-DAP client at 127.0.0.1:50312"); throw to refuse it. */
  attach(owner: string): DapHostAttachment;
  log?: (line: string) => void;
}

/** Frames queued per connection before the server stops reading from it. */
const MAX_QUEUED_FRAMES = 256;
/** Responses written together at most while more requests wait to be run. */
const FLUSH_EVERY = 4;
/** How long a second host waits for the current one to finish disconnecting. */
const RECONNECT_GRACE_MS = 300;

export class DapTcpServer {
  private server: Server | null = null;
  private active: { socket: Socket; owner: string } | null = null;
  private readonly sockets = new Set<Socket>();
  /** Newcomers waiting for the current host to go. */
  private waitingForClose: (() => void)[] = [];
  /** Hosts served and refused so far. */
  stats = { served: 0, refused: 0, backpressurePauses: 0 };

  constructor(private readonly opts: DapTcpServerOptions) {}

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** Start listening; resolves to the bound port. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => this.onConnection(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (e) => this.log(`CMSIS-DAP server error: ${e.message}`));
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  private onConnection(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const owner = `CMSIS-DAP client at ${peer}`;
    socket.setNoDelay(true);
    socket.on('error', () => {}); // reported through 'close'
    if (this.active) {
      // A host that just disconnected may not have been seen closing yet (a quick
      // reconnect): give it a moment before refusing the newcomer.
      socket.pause();
      void this.activeGone(RECONNECT_GRACE_MS).then((gone) => {
        if (socket.destroyed) return;
        if (gone && !this.active) {
          this.admit(socket, peer, owner);
          socket.resume();
          return;
        }
        this.stats.refused++;
        this.log(`CMSIS-DAP: refused a second host from ${peer}: the probe is in use by ${this.active?.owner ?? 'another host'}`);
        socket.destroy();
      });
      return;
    }
    this.admit(socket, peer, owner);
  }

  /** Resolves true once no host is connected, false after `ms`. */
  private activeGone(ms: number): Promise<boolean> {
    if (!this.active) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waitingForClose = this.waitingForClose.filter((f) => f !== done);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waitingForClose.push(done);
    });
  }

  private admit(socket: Socket, peer: string, owner: string): void {
    let attachment: DapHostAttachment;
    try {
      attachment = this.opts.attach(owner);
    } catch (e) {
      this.stats.refused++;
      this.log(`CMSIS-DAP: refused host from ${peer}: ${e instanceof Error ? e.message : String(e)}`);
      socket.destroy();
      return;
    }
    this.stats.served++;
    this.active = { socket, owner };
    this.sockets.add(socket);
    this.log(`CMSIS-DAP: host connected from ${peer}`);
    this.serve(socket, attachment, peer);
  }

  private serve(socket: Socket, att: DapHostAttachment, peer: string): void {
    const decoder = new FrameDecoder();
    const queue: Frame[] = [];
    let pumping = false;
    let closed = false;
    const { processor } = att;

    let running: Promise<void> = Promise.resolve();
    // Flow control: read requests only while the queue is short and responses drain.
    let waitingForDrain = false;
    const flow = () => {
      const stop = waitingForDrain || queue.length >= MAX_QUEUED_FRAMES;
      const go = !waitingForDrain && queue.length < MAX_QUEUED_FRAMES / 2;
      if (stop && !socket.isPaused()) socket.pause();
      else if (go && socket.isPaused() && !closed) socket.resume();
    };
    // Responses wait for the end of this turn of the event loop: requests that arrived in
    // the same turn (a host keeping several in flight) are answered with one write.
    const out: Buffer[] = [];
    let outBytes = 0;
    let flushScheduled = false;
    const flush = () => {
      flushScheduled = false;
      if (out.length === 0 || closed) return;
      const drained = socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
      out.length = 0;
      outBytes = 0;
      // A host that sends but does not read: stop reading its requests until it catches up.
      if (!drained && !waitingForDrain) {
        waitingForDrain = true;
        this.stats.backpressurePauses++;
        flow();
        socket.once('drain', () => {
          waitingForDrain = false;
          flow();
        });
      }
    };
    const flushSoon = () => {
      if (flushScheduled) return;
      flushScheduled = true;
      setImmediate(flush);
    };
    const pump = async () => {
      if (pumping) return;
      pumping = true;
      try {
        while (queue.length > 0 && !closed) {
          const frame = queue.shift()!;
          flow();
          let responses: Uint8Array[];
          if (frame.type !== FrameType.Request) {
            responses = [Uint8Array.of(Cmd.Invalid)];
            this.log(`CMSIS-DAP: frame of type ${frame.type} from ${peer} (expected 1, request); answered 0xFF`);
          } else {
            responses = await processor.handlePacket(frame.payload);
          }
          if (closed) break;
          for (const r of responses) {
            const f = encodeFrame(FrameType.Response, r);
            out.push(f);
            outBytes += f.length;
          }
          // Answers go out a few at a time while later requests are still being run, so the
          // host can send the next ones meanwhile (no ping-pong of whole batches).
          if (out.length >= FLUSH_EVERY || outBytes >= 65536) flush();
        }
        flushSoon();
      } catch (e) {
        // The processor answers bad commands itself; anything here is a bug: drop this host, keep serving.
        this.log(`CMSIS-DAP: internal error serving ${peer}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        socket.destroy();
      } finally {
        pumping = false;
      }
    };

    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        if (!(e instanceof FramingError)) throw e;
        this.log(`CMSIS-DAP: closing connection from ${peer}: ${e.message}`);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        // A TransferAbort must reach a transfer that is still running, not wait behind it.
        if (f.type === FrameType.Request && f.payload[0] === Cmd.TransferAbort) processor.abort();
        queue.push(f);
      }
      flow();
      if (!pumping) running = pump();
    });

    socket.on('close', () => {
      closed = true;
      this.sockets.delete(socket);
      processor.close();
      this.log(`CMSIS-DAP: host ${peer} disconnected`);
      // Let a command in progress finish, release the probe, and only then let the next host in.
      void (async () => {
        try {
          await running;
          await att.detach();
        } catch (e) {
          this.log(`CMSIS-DAP: releasing the probe failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (this.active?.socket === socket) {
          this.active = null;
          // Only the first waiting newcomer can take the probe; the others are refused after it.
          this.waitingForClose.shift()?.();
        }
      })();
    });
  }

  get connectedHost(): string | null {
    return this.active?.owner ?? null;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
