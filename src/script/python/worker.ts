// One MicroPython interpreter in a worker thread (one interpreter per JS realm). Python
// calls into `_tsprobe` block this thread on the shared channel while the main thread
// does the async target work; scripts, REPL input and `monitor python` evaluations
// arrive as messages while the interpreter is idle.
import { parentPort, workerData } from 'node:worker_threads';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript';
import { C, OP, SPIN_MAX_US, SPIN_MIN_US, createChannel, Spinner } from './channel.js';
import { TARGET_PY, BMP_PY, DAP_PY } from './modules.js';
import type { ToWorker, FromWorker } from './messages.js';

const port = parentPort!;
const ch = createChannel(workerData.sab as SharedArrayBuffer);
const { ctl, data } = ch;
const post = (m: FromWorker) => port.postMessage(m);
const enc = new TextEncoder();
const dec = new TextDecoder();

// Output is buffered and sent on newlines, before every target call and when a run ends.
let outBuf: number[] = [];
function flushOut(): void {
  if (outBuf.length === 0) return;
  post({ type: 'out', text: dec.decode(Uint8Array.from(outBuf)) });
  outBuf = [];
}
const write = (bytes: Uint8Array) => {
  for (const b of bytes) outBuf.push(b);
  if (outBuf.length > 4096 || bytes.includes(10)) flushOut();
};

const mp = await loadMicroPython({ stdout: write, stderr: write, linebuffer: false, heapsize: 8 * 1024 * 1024 });
let lastError = '';
/** A call spins for its answer, then sleeps (see Spinner). */
const spinner = new Spinner(SPIN_MIN_US, SPIN_MAX_US);
let seq = 0;

/** One synchronous round trip to the main thread; false when the call failed (lastError says why). */
function roundTrip(op: number, a: number, b: number): boolean {
  if (Atomics.load(ctl, C.INTERRUPT)) {
    Atomics.store(ctl, C.INTERRUPT, 0);
    lastError = 'KeyboardInterrupt:interrupted';
    return false;
  }
  if (outBuf.length) flushOut();
  seq = (seq + 1) | 0;
  ctl[C.OP] = op;
  ctl[C.A] = a;
  ctl[C.B] = b;
  Atomics.store(ctl, C.REQ, seq);
  Atomics.notify(ctl, C.REQ);
  // Most answers take a few microseconds: spin for them, sleep only for long operations.
  for (let cur = Atomics.load(ctl, C.RESP); cur !== seq; cur = Atomics.load(ctl, C.RESP)) spinner.wait(ctl, C.RESP, cur);
  if (ctl[C.STATUS] !== 0) {
    lastError = dec.decode(data.slice(0, ctl[C.LEN]));
    return false;
  }
  return true;
}

// Python ints arrive as numbers (their low 32 bits); anything else (a str, None, True,
// 2.5) fails here and target.py's _mem_fail names it.
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
function badArgs(): null {
  lastError = 'TypeError:address and value must be ints';
  return null;
}
function request(op: number, fn: string, args: string, bytes?: Uint8Array): boolean {
  const req = enc.encode(JSON.stringify([fn, JSON.parse(args)]));
  const size = req.length + (bytes?.length ?? 0);
  if (size > data.length) {
    lastError = `ValueError:${fn}: request of ${size} bytes is larger than the bridge's ${data.length} (split it)`;
    return false;
  }
  data.set(req);
  if (bytes) data.set(bytes, req.length);
  ctl[C.LEN] = size;
  // A: where the JSON ends (JSON_WITH_BYTES)
  return roundTrip(op, req.length, 0);
}

const BLOCK_FILE = '/tsprobe/block';

const fast = (op: number) => (addr: unknown) => (!isInt(addr) ? badArgs() : roundTrip(op, addr | 0, 0) ? ctl[C.RESULT] : null);
const fastWrite = (op: number) => (addr: unknown, v: unknown) => (!isInt(addr) || !isInt(v) ? badArgs() : roundTrip(op, addr | 0, v | 0) ? 0 : null);

mp.registerJsModule('_tsprobe', {
  r8: fast(OP.READ8),
  r16: fast(OP.READ16),
  r32: fast(OP.READ32),
  w8: fastWrite(OP.WRITE8),
  w16: fastWrite(OP.WRITE16),
  w32: fastWrite(OP.WRITE32),
  /** fn name + JSON arguments; JSON answer or null. */
  call: (fn: string, args: string) => (request(OP.JSON, fn, args) ? dec.decode(data.slice(0, ctl[C.LEN])) : null),
  /**
   * The same for an answer of bytes (mem_read): they go into BLOCK_FILE, from which
   * Python's readinto copies them into its buffer at memcpy speed (a hex string that
   * Python decodes manages ~25 MB/s). Returns the byte count or null.
   */
  call_bytes: (fn: string, args: string) => {
    if (!request(OP.JSON_BYTES, fn, args)) return null;
    mp.FS.writeFile(BLOCK_FILE, data.subarray(0, ctl[C.LEN]));
    return ctl[C.LEN];
  },
  /** The other way (mem_write): BLOCK_FILE's bytes go after the request, as the call's last argument. */
  call_with_bytes: (fn: string, args: string) => {
    const bytes = mp.FS.readFile(BLOCK_FILE);
    return request(OP.JSON_WITH_BYTES, fn, args, bytes) ? dec.decode(data.slice(0, ctl[C.LEN])) : null;
  },
  error: () => lastError,
});

mp.FS.mkdirTree('/lib');
mp.FS.mkdirTree('/tsprobe');
mp.FS.writeFile('/lib/target.py', TARGET_PY);
mp.FS.writeFile('/lib/bmp.py', BMP_PY);
mp.FS.writeFile('/lib/dap.py', DAP_PY);

/** Python's traceback, without the frame of our own exec() wrapper. */
function pythonError(e: unknown): string {
  const err = e as { name?: string; type?: string; message?: string };
  if (err?.name !== 'PythonError') return `${(e as Error)?.message ?? String(e)}`;
  return (err.message ?? '').replace(/^(Traceback \(most recent call last\):\n)  File "<stdin>", line \d+, in <module>\n/, '$1');
}

function runScript(code: string, filename: string): void {
  mp.globals.set('__tsprobe_src', code);
  mp.globals.set('__tsprobe_file', filename);
  try {
    mp.runPython(`exec(compile(__tsprobe_src, __tsprobe_file, 'exec'))`);
  } finally {
    mp.globals.delete('__tsprobe_src');
    mp.globals.delete('__tsprobe_file');
  }
}

port.on('message', (m: ToWorker) => {
  Atomics.store(ctl, C.BUSY, 1);
  try {
    if (m.type === 'run') {
      try {
        runScript(m.code, m.filename);
        flushOut();
        post({ type: 'done', id: m.id });
      } catch (e) {
        flushOut();
        post({ type: 'done', id: m.id, error: pythonError(e) });
      }
    } else if (m.type === 'monitor') {
      try {
        mp.globals.set('__tsprobe_expr', m.expr);
        mp.runPython(`import bmp\n__tsprobe_result = bmp._monitor(__tsprobe_expr)`);
        flushOut();
        post({ type: 'done', id: m.id, result: String(mp.globals.get('__tsprobe_result') ?? '') });
      } catch (e) {
        flushOut();
        post({ type: 'done', id: m.id, error: pythonError(e) });
      }
    } else if (m.type === 'repl-init') {
      mp.replInit();
      flushOut();
    } else if (m.type === 'repl-input') {
      for (const c of m.data) {
        if (mp.replProcessChar(c)) {
          flushOut();
          post({ type: 'repl-exit' });
          return;
        }
      }
      flushOut();
    }
  } catch (e) {
    post({ type: 'out', text: `tsprobe: python worker error: ${(e as Error).message}\n` });
  } finally {
    Atomics.store(ctl, C.BUSY, 0);
    // a Ctrl-C that came after the last target call must not hit the next command
    Atomics.store(ctl, C.INTERRUPT, 0);
  }
});

post({ type: 'ready' });
