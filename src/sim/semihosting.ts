// ARM semihosting (the "Semihosting for AArch32 and AArch64" spec, v2): a firmware
// executes BKPT 0xAB with an operation number in r0 and a parameter (often the
// address of a parameter block) in r1; the host does the work and returns a
// result in r0.
//
// What the firmware sees is modelled on QEMU 7.2's `-semihosting` with
// `-nographic` (measured on this machine; see test/sim/periph/semihosting.test.ts and
// test/cli/sim-vs-qemu.test.ts):
//  - SYS_WRITEC / SYS_WRITE0 go to the host's stderr; ":tt" opened for writing
//    is stdout, ":tt" opened for appending is stderr, for reading stdin;
//    SYS_ISTTY on them says whether the host stream is a terminal.
//  - handles are allocated from 1 upwards, lowest free first.
//  - ":semihosting-features" reads "SHFB" + 0x03 (SYS_EXIT_EXTENDED, stdout/stderr).
//  - SYS_EXIT: r1 is the reason itself; ADP_Stopped_ApplicationExit -> status 0,
//    any other reason -> 1. SYS_EXIT_EXTENDED: r1 -> {reason, subcode};
//    ApplicationExit -> subcode, otherwise 1.
//  - SYS_HEAPINFO: heap and stack in the largest RAM (above what was loaded there).
// Differences on purpose: SYS_CLOCK/SYS_ELAPSED count simulated time, so runs are
// reproducible; host files are reachable only under a chosen directory (none by
// default) and SYS_SYSTEM is refused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Bus } from './bus.js';
import type { Clock } from './clock.js';

export const enum SysOp {
  OPEN = 0x01, CLOSE = 0x02, WRITEC = 0x03, WRITE0 = 0x04, WRITE = 0x05, READ = 0x06,
  READC = 0x07, ISERROR = 0x08, ISTTY = 0x09, SEEK = 0x0a, FLEN = 0x0c, TMPNAM = 0x0d,
  REMOVE = 0x0e, RENAME = 0x0f, CLOCK = 0x10, TIME = 0x11, SYSTEM = 0x12, ERRNO = 0x13,
  GET_CMDLINE = 0x15, HEAPINFO = 0x16, EXIT = 0x18, EXIT_EXTENDED = 0x20,
  ELAPSED = 0x30, TICKFREQ = 0x31,
}

export const ADP_Stopped_ApplicationExit = 0x20026;

// Linux errno values, which QEMU passes through to the firmware.
const EPERM = 1, ENOENT = 2, EIO = 5, EBADF = 9, EACCES = 13, EFAULT = 14, EINVAL = 22;

const OPEN_MODES = ['r', 'rb', 'r+', 'r+b', 'w', 'wb', 'w+', 'w+b', 'a', 'ab', 'a+', 'a+b'];
const FEATURES = new Uint8Array([0x53, 0x48, 0x46, 0x42, 0x03]); // "SHFB", EXIT_EXTENDED | STDOUT_STDERR

/** Where semihosting console traffic goes; the CLI connects it to the process's stdio. */
export interface SemihostingConsole {
  write(stream: 'stdout' | 'stderr', bytes: Uint8Array): void;
  /** Up to `max` bytes from the host's stdin; an empty array at end of input. May block. */
  read(max: number): Uint8Array;
  /** Whether the host stream is a terminal (SYS_ISTTY on ":tt"; QEMU answers from the host). */
  isatty?(stream: 'stdin' | 'stdout' | 'stderr'): boolean;
}

export interface SemihostingOptions {
  console: SemihostingConsole;
  /** What SYS_GET_CMDLINE returns (QEMU: the kernel file name, plus -append). */
  cmdline?: string;
  /** Host directory that SYS_OPEN/REMOVE/RENAME may use; undefined: no host file access. */
  fileRoot?: string;
  /** The RAM SYS_HEAPINFO describes and where loaded data ends inside it. */
  heap?: { ramBase: number; ramSize: number; loadedEnd?: number };
}

export interface SemihostingExit {
  /** The process exit status the run should end with (as QEMU computes it). */
  status: number;
  reason: number;
  subcode?: number;
}

type Handle =
  | { kind: 'stdin' }
  | { kind: 'stdout' }
  | { kind: 'stderr' }
  | { kind: 'features'; pos: number }
  | { kind: 'file'; fd: number; pos: number; append: boolean };

/** The registers a semihosting call uses. */
export interface SemihostingCpu {
  r: Uint32Array;
}

export class Semihosting {
  /** Set when the firmware asked to exit. */
  exit: SemihostingExit | null = null;
  /** Called when the firmware asks to exit (the machine stops the run). */
  onExit: ((exit: SemihostingExit) => void) | null = null;

  private errno = 0;
  private handles = new Map<number, Handle>();
  private readonly startCycles: number;

  constructor(private readonly bus: Bus, private readonly clock: Clock, private readonly opts: SemihostingOptions) {
    this.startCycles = clock.now;
  }

  /** Where the loaded image ends inside the heap RAM (SYS_HEAPINFO puts the heap above it). */
  setLoadedEnd(end: number | undefined): void {
    if (this.opts.heap) this.opts.heap = { ...this.opts.heap, loadedEnd: end };
  }

  /** Forget open files (board reset). */
  reset(): void {
    for (const h of this.handles.values()) if (h.kind === 'file') this.closeQuietly(h.fd);
    this.handles.clear();
    this.errno = 0;
    this.exit = null;
  }

  /** Handle BKPT 0xAB: perform the call in r0/r1 and put the result in r0. */
  call(cpu: SemihostingCpu): void {
    const op = cpu.r[0];
    const arg = cpu.r[1];
    let result: number;
    try {
      result = this.dispatch(op, arg);
    } catch (e) {
      // A parameter block the firmware pointed at unmapped memory.
      if (e instanceof Error && e.name === 'BusFault') {
        this.errno = EFAULT;
        result = -1;
      } else throw e;
    }
    cpu.r[0] = result >>> 0;
  }

  private word(addr: number, i: number): number {
    return this.bus.read32((addr + 4 * i) >>> 0) >>> 0;
  }

  private bytes(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.bus.read8((addr + i) >>> 0);
    return out;
  }

  private string(addr: number, len?: number): string {
    if (len !== undefined) return new TextDecoder().decode(this.bytes(addr, len));
    const chars: number[] = [];
    for (let a = addr; ; a = (a + 1) >>> 0) {
      const c = this.bus.read8(a);
      if (c === 0 || chars.length > 1 << 20) break;
      chars.push(c);
    }
    return new TextDecoder().decode(new Uint8Array(chars));
  }

  private store(addr: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.bus.write8((addr + i) >>> 0, data[i]);
  }

  private allocate(h: Handle): number {
    let n = 1;
    while (this.handles.has(n)) n++;
    this.handles.set(n, h);
    return n;
  }

  private fail(errno: number): number {
    this.errno = errno;
    return -1;
  }

  private hostErrno(e: unknown): number {
    const n = (e as NodeJS.ErrnoException).errno;
    return typeof n === 'number' ? Math.abs(n) : EIO;
  }

  /** Resolve a firmware path inside fileRoot, or undefined when file access is off or it escapes. */
  private hostPath(name: string): string | undefined {
    const root = this.opts.fileRoot;
    if (root === undefined) return undefined;
    const full = path.resolve(root, name.replace(/^\/+/, ''));
    const rootFull = path.resolve(root);
    if (full !== rootFull && !full.startsWith(rootFull + path.sep)) return undefined;
    return full;
  }

  private closeQuietly(fd: number): void {
    try {
      fs.closeSync(fd);
    } catch {
      /* already gone */
    }
  }

  private dispatch(op: number, arg: number): number {
    switch (op) {
      case SysOp.WRITEC:
        this.opts.console.write('stderr', this.bytes(arg, 1));
        return 0;
      case SysOp.WRITE0: {
        const chars: number[] = [];
        for (let a = arg; ; a = (a + 1) >>> 0) {
          const c = this.bus.read8(a);
          if (c === 0 || chars.length >= 1 << 20) break;
          chars.push(c);
        }
        this.opts.console.write('stderr', new Uint8Array(chars));
        return 0;
      }
      case SysOp.OPEN: return this.open(this.string(this.word(arg, 0), this.word(arg, 2)), this.word(arg, 1));
      case SysOp.CLOSE: {
        const n = this.word(arg, 0);
        const h = this.handles.get(n);
        if (!h) return this.fail(EBADF);
        this.handles.delete(n);
        if (h.kind === 'file') this.closeQuietly(h.fd);
        return 0;
      }
      case SysOp.WRITE: return this.write(this.word(arg, 0), this.word(arg, 1), this.word(arg, 2));
      case SysOp.READ: return this.read(this.word(arg, 0), this.word(arg, 1), this.word(arg, 2));
      case SysOp.READC: {
        const b = this.opts.console.read(1);
        return b.length ? b[0] : -1;
      }
      case SysOp.ISERROR: return (this.word(arg, 0) | 0) < 0 ? 1 : 0;
      case SysOp.ISTTY: {
        const h = this.handles.get(this.word(arg, 0));
        if (!h) return this.fail(EBADF);
        if (h.kind === 'stdin' || h.kind === 'stdout' || h.kind === 'stderr') return this.opts.console.isatty?.(h.kind) ? 1 : 0;
        if (h.kind === 'file') {
          try {
            return fs.fstatSync(h.fd).isCharacterDevice() ? 1 : 0;
          } catch {
            return 0;
          }
        }
        return 0;
      }
      case SysOp.SEEK: {
        const h = this.handles.get(this.word(arg, 0));
        const pos = this.word(arg, 1);
        if (!h) return this.fail(EBADF);
        if (h.kind === 'file' || h.kind === 'features') {
          h.pos = pos;
          return 0;
        }
        return this.fail(EINVAL);
      }
      case SysOp.FLEN: {
        const h = this.handles.get(this.word(arg, 0));
        if (!h) return this.fail(EBADF);
        if (h.kind === 'features') return FEATURES.length;
        if (h.kind !== 'file') return this.fail(EINVAL);
        try {
          return fs.fstatSync(h.fd).size;
        } catch (e) {
          return this.fail(this.hostErrno(e));
        }
      }
      case SysOp.REMOVE: {
        const p = this.hostPath(this.string(this.word(arg, 0), this.word(arg, 1)));
        if (!p) return this.fail(EACCES);
        try {
          fs.unlinkSync(p);
          return 0;
        } catch (e) {
          return this.fail(this.hostErrno(e));
        }
      }
      case SysOp.RENAME: {
        const from = this.hostPath(this.string(this.word(arg, 0), this.word(arg, 1)));
        const to = this.hostPath(this.string(this.word(arg, 2), this.word(arg, 3)));
        if (!from || !to) return this.fail(EACCES);
        try {
          fs.renameSync(from, to);
          return 0;
        } catch (e) {
          return this.fail(this.hostErrno(e));
        }
      }
      case SysOp.CLOCK: // centiseconds of simulated time since the start
        return Math.floor(((this.clock.now - this.startCycles) * 100) / this.clock.hz);
      case SysOp.TIME:
        return Math.floor(Date.now() / 1000);
      case SysOp.SYSTEM:
        return this.fail(EPERM);
      case SysOp.ERRNO:
        return this.errno;
      case SysOp.GET_CMDLINE: {
        const buf = this.word(arg, 0);
        const size = this.word(arg, 1);
        const text = new TextEncoder().encode(this.opts.cmdline ?? '');
        if (text.length + 1 > size) return this.fail(EINVAL);
        this.store(buf, text);
        this.bus.write8((buf + text.length) >>> 0, 0);
        this.bus.write32((arg + 4) >>> 0, text.length);
        return 0;
      }
      case SysOp.HEAPINFO: {
        const block = this.word(arg, 0);
        const heap = this.opts.heap;
        const base = heap ? Math.max(heap.ramBase, heap.loadedEnd ?? 0) : 0;
        const limit = heap ? heap.ramBase + heap.ramSize : 0;
        // heap base, heap limit, stack base (top), stack limit
        const words = [base, limit, limit, heap ? heap.ramBase : 0];
        words.forEach((w, i) => this.bus.write32((block + 4 * i) >>> 0, w >>> 0));
        return 0;
      }
      case SysOp.EXIT: {
        // AArch32: r1 holds the reason code itself, not a pointer.
        this.finish({ status: arg === ADP_Stopped_ApplicationExit ? 0 : 1, reason: arg });
        return 0;
      }
      case SysOp.EXIT_EXTENDED: {
        const reason = this.word(arg, 0);
        const subcode = this.word(arg, 1);
        this.finish({ status: reason === ADP_Stopped_ApplicationExit ? subcode : 1, reason, subcode });
        return 0;
      }
      case SysOp.ELAPSED: {
        const ticks = BigInt(Math.floor(this.clock.now - this.startCycles));
        this.bus.write32(arg >>> 0, Number(ticks & 0xffffffffn));
        this.bus.write32((arg + 4) >>> 0, Number((ticks >> 32n) & 0xffffffffn));
        return 0;
      }
      case SysOp.TICKFREQ:
        return this.clock.hz;
      default:
        return this.fail(EINVAL); // TMPNAM and unknown operations
    }
  }

  private finish(exit: SemihostingExit): void {
    this.exit = exit;
    this.onExit?.(exit);
  }

  private open(name: string, mode: number): number {
    if (mode >= OPEN_MODES.length) return this.fail(EINVAL);
    if (name === ':tt') {
      return this.allocate({ kind: mode < 4 ? 'stdin' : mode < 8 ? 'stdout' : 'stderr' });
    }
    if (name === ':semihosting-features') {
      if (mode >= 2) return this.fail(EACCES); // read-only
      return this.allocate({ kind: 'features', pos: 0 });
    }
    const p = this.hostPath(name);
    // With file access off, a path is simply not there (QEMU says ENOENT for missing files).
    if (!p) return this.fail(this.opts.fileRoot === undefined ? ENOENT : EACCES);
    try {
      const flags = OPEN_MODES[mode].replace('b', '');
      const fd = fs.openSync(p, flags);
      return this.allocate({ kind: 'file', fd, pos: 0, append: flags.startsWith('a') });
    } catch (e) {
      return this.fail(this.hostErrno(e));
    }
  }

  /** SYS_WRITE returns the number of bytes NOT written. */
  private write(n: number, buf: number, len: number): number {
    const h = this.handles.get(n);
    if (!h) {
      this.errno = EBADF;
      return len;
    }
    const data = this.bytes(buf, len);
    switch (h.kind) {
      case 'stdout':
      case 'stderr':
        this.opts.console.write(h.kind, data);
        return 0;
      case 'file':
        try {
          const written = fs.writeSync(h.fd, data, 0, data.length, h.append ? null : h.pos);
          h.pos += written;
          return len - written;
        } catch (e) {
          this.errno = this.hostErrno(e);
          return len;
        }
      default:
        this.errno = EBADF;
        return len;
    }
  }

  /** SYS_READ returns the number of bytes NOT read (len at end of file). */
  private read(n: number, buf: number, len: number): number {
    const h = this.handles.get(n);
    if (!h) {
      this.errno = EBADF;
      return len;
    }
    let data: Uint8Array;
    switch (h.kind) {
      case 'stdin':
        data = this.opts.console.read(len);
        break;
      case 'features':
        data = FEATURES.subarray(Math.min(h.pos, FEATURES.length), Math.min(h.pos + len, FEATURES.length));
        h.pos += data.length;
        break;
      case 'file':
        try {
          const tmp = new Uint8Array(len);
          const got = fs.readSync(h.fd, tmp, 0, len, h.pos);
          h.pos += got;
          data = tmp.subarray(0, got);
        } catch (e) {
          this.errno = this.hostErrno(e);
          return len;
        }
        break;
      default:
        this.errno = EBADF;
        return len;
    }
    this.store(buf, data);
    return len - data.length;
  }
}
