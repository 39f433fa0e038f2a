// A MicroPython interpreter for one probe context: the worker, the call channel it
// blocks on, and the main-thread loop that answers its calls. `run` executes a script,
// `monitor` evaluates `monitor python <expr>`, `repl*` drive MicroPython's own REPL.
// Ctrl-C (`interrupt`) raises KeyboardInterrupt at the script's next target call; a
// script that makes none is stopped by restarting the interpreter (the target is never
// left in a half state: each target operation completes on the main thread).
import { Worker } from 'node:worker_threads';
import { C, OP, SPIN_MAX_US, SPIN_MIN_US, createChannel, Spinner, type Channel } from './channel.js';
import type { FromWorker, ToWorker } from './messages.js';
import { pythonServices } from './services.js';
import type { ProbeContext } from '../probe-context.js';

// Node 20 has Atomics.waitAsync; TypeScript's ES2022 library does not declare it.
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, timeout?: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** After its spin (see Spinner), how long the main thread sleeps for a script's next call before it returns to the event loop. */
const SLEEP_MS = 0.2;
/** Longest run of back-to-back calls before the event loop gets a turn. */
const BURST_MS = 4;

export class PythonError extends Error {
  constructor(readonly traceback: string) {
    super(traceback.trimEnd());
    this.name = 'PythonError';
  }
}

export interface PythonOptions {
  /** Where the interpreter's print() goes (default: stdout). */
  output?: (text: string) => void;
}

function errorKind(e: unknown): string {
  const err = e as Error;
  // Ctrl-C reaching the Target first (ScriptHost.interrupt) is still a KeyboardInterrupt in Python.
  if (err?.name === 'ScriptError' && /^interrupted/.test(err.message)) return `KeyboardInterrupt:${err.message}`;
  const kind = err?.name === 'TypeError' ? 'TypeError' : err?.name === 'RangeError' ? 'ValueError' : 'RuntimeError';
  return `${kind}:${err?.message ?? String(e)}`;
}

export class PythonRuntime {
  private worker!: Worker;
  private ch!: Channel;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  private closed = false;
  private readonly services: ReturnType<typeof pythonServices>;
  private readonly enc = new TextEncoder();
  private readonly dec = new TextDecoder();
  private readonly output: (text: string) => void;
  /** Called when MicroPython's REPL asks to exit (Ctrl-D). */
  onReplExit: (() => void) | null = null;
  /** Bridge calls answered (bench, tests). */
  calls = 0;

  private constructor(
    readonly ctx: ProbeContext,
    opts: PythonOptions,
  ) {
    this.services = pythonServices(ctx);
    this.output = opts.output ?? ((t) => process.stdout.write(t));
  }

  static async start(ctx: ProbeContext, opts: PythonOptions = {}): Promise<PythonRuntime> {
    const rt = new PythonRuntime(ctx, opts);
    await rt.startWorker();
    ctx.evaluators.python = (expr) => rt.monitor(expr);
    return rt;
  }

  private startWorker(): Promise<void> {
    this.ch = createChannel();
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { sab: this.ch.sab } });
    const ready = new Promise<void>((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          this.worker.off('error', reject);
          // From now on only a running request keeps the process alive.
          if (this.pending.size === 0 && !this.replActive) this.worker.unref();
          resolve();
        } else this.onMessage(m);
      });
    });
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', this.onExit);
    void this.serve(this.ch);
    return ready;
  }

  private readonly onExit = () => this.failAll(new Error('the MicroPython interpreter stopped'));

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'out') this.output(m.text);
    else if (m.type === 'done') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new PythonError(m.error));
      else p?.resolve(m.result ?? '');
    } else if (m.type === 'repl-exit') this.onReplExit?.();
  }

  /**
   * Answer the worker's synchronous calls on channel `ch`, one at a time, until the
   * runtime closes or the interpreter is restarted on a new channel. Idle, it waits in
   * the event loop; while a script calls back to back it spins for the next call (a
   * script calls again within microseconds) and gives the event loop (sockets, timers,
   * Ctrl-C, the simulated core) a turn at least every BURST_MS.
   */
  private async serve(ch: Channel): Promise<void> {
    const { ctl } = ch;
    const alive = () => !this.closed && ch === this.ch;
    const spinner = new Spinner(SPIN_MIN_US, SPIN_MAX_US);
    let last = 0;
    while (alive()) {
      if (Atomics.load(ctl, C.REQ) === last) {
        const w = waitAsync(ctl, C.REQ, last);
        if (w.async) await w.value;
        continue; // act on REQ's value, not on the wake-up (see channel.ts)
      }
      const burstStart = performance.now();
      for (;;) {
        const seq = Atomics.load(ctl, C.REQ);
        if (seq !== last) {
          last = seq;
          await this.answer(ch);
          Atomics.store(ctl, C.RESP, seq);
          Atomics.notify(ctl, C.RESP);
          if (performance.now() - burstStart >= BURST_MS) {
            await new Promise((r) => setImmediate(r));
            break;
          }
        } else if (!spinner.wait(ctl, C.REQ, last, SLEEP_MS) || !alive()) break;
      }
    }
  }

  private async answer(ch: Channel): Promise<void> {
    const { ctl, data } = ch;
    const t = this.ctx.target;
    this.calls++;
    try {
      const op = ctl[C.OP];
      const a = ctl[C.A] >>> 0;
      switch (op) {
        case OP.READ8:
          ctl[C.RESULT] = await t.read8(a);
          break;
        case OP.READ16:
          ctl[C.RESULT] = await t.read16(a);
          break;
        case OP.READ32:
          ctl[C.RESULT] = (await t.read32(a)) | 0;
          break;
        case OP.WRITE8:
          await t.write8(a, ctl[C.B] & 0xff);
          break;
        case OP.WRITE16:
          await t.write16(a, ctl[C.B] & 0xffff);
          break;
        case OP.WRITE32:
          await t.write32(a, ctl[C.B] >>> 0);
          break;
        case OP.JSON:
        case OP.JSON_BYTES:
        case OP.JSON_WITH_BYTES: {
          const withBytes = op === OP.JSON_WITH_BYTES;
          const [fn, args] = JSON.parse(this.dec.decode(data.slice(0, withBytes ? a : ctl[C.LEN]))) as [string, unknown[]];
          if (withBytes) args.push(data.slice(a, ctl[C.LEN]));
          const f = this.services[fn];
          if (!f) throw new Error(`no such probe call '${fn}'`);
          if (this.ctx.debug) process.stderr.write(`tsprobe: python -> ${fn}(${JSON.stringify(args, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)).slice(1, -1)})\n`);
          const r = await (f as (...a: unknown[]) => unknown)(...args);
          const out = op === OP.JSON_BYTES && r instanceof Uint8Array ? r : this.enc.encode(JSON.stringify(r ?? null));
          if (out.length > data.length) throw new RangeError(`${fn}: the answer (${out.length} bytes) is larger than the bridge (${data.length}); ask for less`);
          data.set(out);
          ctl[C.LEN] = out.length;
          break;
        }
        default:
          throw new Error(`unknown bridge opcode ${op}`);
      }
      ctl[C.STATUS] = 0;
    } catch (e) {
      const msg = this.enc.encode(errorKind(e)).subarray(0, data.length);
      data.set(msg);
      ctl[C.LEN] = msg.length;
      ctl[C.STATUS] = 1;
    }
  }

  private request(m: ToWorker & { id: number }): Promise<string> {
    return new Promise((resolve, reject) => {
      this.pending.set(m.id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(m);
    }).finally(() => {
      if (this.pending.size === 0 && !this.replActive) this.worker.unref();
    }) as Promise<string>;
  }

  /** Run Python source; rejects with PythonError (the traceback names `filename`). */
  async run(code: string, filename = '<script>'): Promise<void> {
    await this.request({ type: 'run', id: this.nextId++, code, filename });
  }

  /** `monitor python <expr>`: bmp.repl_fun's handler, or eval/exec in __main__. */
  monitor(expr: string): Promise<string> {
    return this.request({ type: 'monitor', id: this.nextId++, expr });
  }

  private replActive = false;
  replStart(): void {
    this.replActive = true;
    this.worker.ref();
    this.worker.postMessage({ type: 'repl-init' } satisfies ToWorker);
  }
  replInput(bytes: Uint8Array): void {
    this.worker.postMessage({ type: 'repl-input', data: Array.from(bytes) } satisfies ToWorker);
  }

  /**
   * Ctrl-C: KeyboardInterrupt at the next target call. If the script makes none within
   * `graceMs`, the interpreter is restarted (its Python state is lost) and true returned.
   */
  async interrupt(graceMs = 1000): Promise<boolean> {
    const ctl = this.ch.ctl;
    const busy = () => Atomics.load(ctl, C.BUSY) === 1 || this.pending.size > 0;
    if (!busy()) return false;
    Atomics.store(ctl, C.INTERRUPT, 1);
    const start = Date.now();
    while (busy() && Date.now() - start < graceMs) await new Promise((r) => setTimeout(r, 10));
    if (!busy()) return false;
    const old = this.worker;
    const oldCh = this.ch;
    this.ch = createChannel();
    Atomics.notify(oldCh.ctl, C.REQ); // the old serve loop wakes, sees it is stale and ends
    // Only our own listener: terminate() waits for 'exit' with one of its own.
    old.off('exit', this.onExit);
    old.ref(); // an unref'd worker's terminate() does not keep the process alive
    await old.terminate();
    await this.startWorker();
    if (this.replActive) {
      this.output('\r\nKeyboardInterrupt: the interpreter was restarted\r\n');
      this.worker.postMessage({ type: 'repl-init' } satisfies ToWorker);
    }
    this.failAll(new PythonError('KeyboardInterrupt: the script made no target call in time; the interpreter was restarted (its variables are gone)\n'));
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ctx.evaluators.python) delete this.ctx.evaluators.python;
    this.worker.off('exit', this.onExit);
    this.worker.ref();
    Atomics.notify(this.ch.ctl, C.REQ); // the serve loop wakes and ends
    await this.worker.terminate();
  }
}
