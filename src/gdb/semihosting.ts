// Semihosting served by the probe, as a debugger does it on real hardware: the core
// halts on BKPT 0xAB, the probe reads the operation (r0) and its parameter (r1) over
// the debug port, does the work, writes the result to r0, moves the pc past the BKPT
// and lets the core run on. Console output goes to a callback (the gdb server sends it
// as O packets); the exit operations end the "process" with a status.
//
// Deliberately small: the console (":tt"), clocks, the command line and exit. Host file
// access is refused (-1, errno EACCES): a debug server should not hand the target the
// host's files without being asked.

export const SEMIHOSTING_BKPT = 0xbeab; // BKPT 0xAB, Thumb encoding

const enum Op {
  OPEN = 0x01,
  CLOSE = 0x02,
  WRITEC = 0x03,
  WRITE0 = 0x04,
  WRITE = 0x05,
  READ = 0x06,
  READC = 0x07,
  ISERROR = 0x08,
  ISTTY = 0x09,
  SEEK = 0x0a,
  FLEN = 0x0c,
  CLOCK = 0x10,
  TIME = 0x11,
  ERRNO = 0x13,
  GET_CMDLINE = 0x15,
  HEAPINFO = 0x16,
  EXIT = 0x18,
  EXIT_EXTENDED = 0x20,
}

const ADP_STOPPED_APPLICATION_EXIT = 0x20026;
const EACCES = 13;
const EBADF = 9;
const TT_HANDLE_IN = 1;
const TT_HANDLE_OUT = 2;
const TT_HANDLE_ERR = 3;
const MAX_STRING = 4096;

/** How the handler reaches the halted core. */
export interface SemihostingAccess {
  readMemory(address: number, length: number): Promise<Uint8Array>;
  writeMemory(address: number, data: Uint8Array): Promise<void>;
}

export type SemihostingOutcome = { kind: 'return'; r0: number } | { kind: 'exit'; status: number };

export class HostSemihosting {
  private errno = 0;
  private readonly started = Date.now();

  constructor(
    private readonly console: (text: string) => void,
    private readonly cmdline = '',
  ) {}

  /** One call: `op` from r0, `arg` from r1. */
  async call(op: number, arg: number, mem: SemihostingAccess): Promise<SemihostingOutcome> {
    const word = async (i: number) => new DataView((await mem.readMemory((arg + 4 * i) >>> 0, 4)).buffer).getUint32(0, true);
    const ret = (r0: number): SemihostingOutcome => ({ kind: 'return', r0: r0 >>> 0 });
    switch (op) {
      case Op.WRITEC:
        this.console(String.fromCharCode((await mem.readMemory(arg, 1))[0]!));
        return ret(0);
      case Op.WRITE0:
        this.console(await this.readString(mem, arg));
        return ret(0);
      case Op.WRITE: {
        const [handle, buf, len] = [await word(0), await word(1), await word(2)];
        if (handle !== TT_HANDLE_OUT && handle !== TT_HANDLE_ERR) return this.fail(EBADF, len);
        const data = len ? await mem.readMemory(buf, Math.min(len, 0x10000)) : new Uint8Array(0);
        this.console(new TextDecoder().decode(data));
        return ret(len - data.length); // bytes not written
      }
      case Op.OPEN: {
        const [name, mode, len] = [await word(0), await word(1), await word(2)];
        const text = new TextDecoder().decode(await mem.readMemory(name, Math.min(len, 256)));
        if (text !== ':tt') return this.fail(EACCES, -1);
        // Modes 0-3 read, 4-7 write, 8-11 append (stderr by convention).
        return ret(mode < 4 ? TT_HANDLE_IN : mode < 8 ? TT_HANDLE_OUT : TT_HANDLE_ERR);
      }
      case Op.CLOSE:
        return ret(0);
      case Op.ISTTY: {
        const h = await word(0);
        return ret(h >= TT_HANDLE_IN && h <= TT_HANDLE_ERR ? 1 : 0);
      }
      case Op.READ: {
        const len = await word(2);
        return ret(len); // nothing read: end of input
      }
      case Op.READC:
        return ret(0xffffffff);
      case Op.ISERROR:
        return ret(((await word(0)) | 0) < 0 ? 1 : 0);
      case Op.SEEK:
      case Op.FLEN:
        return this.fail(EBADF, -1);
      case Op.CLOCK:
        return ret(Math.floor((Date.now() - this.started) / 10));
      case Op.TIME:
        return ret(Math.floor(Date.now() / 1000));
      case Op.ERRNO:
        return ret(this.errno);
      case Op.GET_CMDLINE: {
        const [buf, size] = [await word(0), await word(1)];
        const bytes = new TextEncoder().encode(this.cmdline);
        if (bytes.length + 1 > size) return ret(0xffffffff);
        await mem.writeMemory(buf, Uint8Array.from([...bytes, 0]));
        await mem.writeMemory((arg + 4) >>> 0, new Uint8Array(new Uint32Array([bytes.length]).buffer));
        return ret(0);
      }
      case Op.HEAPINFO: {
        // Zeros: "unknown", the C library then uses its linker symbols.
        const block = await word(0);
        await mem.writeMemory(block, new Uint8Array(16));
        return ret(0);
      }
      case Op.EXIT:
        // AArch32: r1 is the reason code itself.
        return { kind: 'exit', status: arg === ADP_STOPPED_APPLICATION_EXIT ? 0 : 1 };
      case Op.EXIT_EXTENDED: {
        const [reason, code] = [await word(0), await word(1)];
        return { kind: 'exit', status: reason === ADP_STOPPED_APPLICATION_EXIT ? code : 1 };
      }
    }
    return this.fail(EACCES, -1);
  }

  private fail(errno: number, r0: number): SemihostingOutcome {
    this.errno = errno;
    return { kind: 'return', r0: r0 >>> 0 };
  }

  private async readString(mem: SemihostingAccess, addr: number): Promise<string> {
    const parts: Uint8Array[] = [];
    for (let a = addr, total = 0; total < MAX_STRING; ) {
      // Read up to the end of a 64-byte block at a time: few round trips, never past a page.
      const n = 64 - (a & 63);
      const chunk = await mem.readMemory(a, n);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        parts.push(chunk.subarray(0, nul));
        break;
      }
      parts.push(chunk);
      a += n;
      total += n;
    }
    return new TextDecoder().decode(Buffer.concat(parts));
  }
}
