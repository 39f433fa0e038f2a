// Host ends of a simulated UART: the terminal (stdin/stdout) or a pseudo-terminal
// that other programs open, as QEMU's `-serial stdio` and `-serial pty`.
//
// Node has no pty API, so `pty` mode runs a tiny python3 helper (python3's
// standard pty module) that owns the master side and relays bytes over pipes.
import { spawn, type ChildProcess } from 'node:child_process';
import { UserError } from './errors.js';

export interface HostSerial {
  /** Send bytes the firmware transmitted. */
  write(bytes: Uint8Array): void;
  /** Bytes arriving from the host side. */
  onData: ((bytes: Uint8Array) => void) | null;
  /** True while input can still arrive. */
  readonly open: boolean;
  close(): void;
}

// The helper: open a pty, make it raw, report the slave's path on stderr, then
// relay master <-> stdio until stdin closes. It keeps a slave fd open itself so
// the pty survives terminal programs connecting and disconnecting. When stdin closes
// (the simulation ended) it lingers up to a second while the terminal program has
// output left to read: closing the master hangs the pty up, and Linux then answers
// the slave's reads with EIO even if the last words ("bye") were still queued.
const PTY_HELPER = `
import fcntl, os, pty, select, struct, sys, termios, time, tty
master, slave = pty.openpty()
tty.setraw(slave)
sys.stderr.write(os.ttyname(slave) + "\\n")
sys.stderr.flush()
while True:
    r, _, _ = select.select([master, 0], [], [])
    if master in r:
        try:
            data = os.read(master, 4096)
        except OSError:
            data = b""
        if data:
            os.write(1, data)
    if 0 in r:
        data = os.read(0, 4096)
        if not data:
            break
        os.write(master, data)
deadline = time.time() + 1.0
while time.time() < deadline:
    if struct.unpack("i", fcntl.ioctl(slave, termios.FIONREAD, b"\\0\\0\\0\\0"))[0] == 0:
        break
    time.sleep(0.01)
`;

export class PtySerial implements HostSerial {
  onData: ((bytes: Uint8Array) => void) | null = null;
  open = true;
  private constructor(private readonly child: ChildProcess, readonly path: string) {
    child.stdout!.on('data', (b: Buffer) => this.onData?.(new Uint8Array(b)));
    child.on('exit', () => {
      this.open = false;
    });
  }

  /** Start the helper and wait for the pty's path. */
  static async create(): Promise<PtySerial> {
    let child: ChildProcess;
    try {
      child = spawn('python3', ['-c', PTY_HELPER], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      throw new UserError(`--serial pty needs python3 to create the pseudo-terminal: ${(e as Error).message}`);
    }
    const path = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new UserError('--serial pty: the python3 pty helper did not start within 5 s')), 5000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new UserError(`--serial pty needs python3 to create the pseudo-terminal (${e.message}); use --serial stdio`));
      });
      child.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        const nl = err.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          const line = err.slice(0, nl).trim();
          if (line.startsWith('/dev/')) resolve(line);
          else reject(new UserError(`--serial pty: the python3 pty helper failed: ${line}`));
        }
      });
    });
    return new PtySerial(child, path);
  }

  write(bytes: Uint8Array): void {
    if (this.open) this.child.stdin!.write(bytes);
  }

  close(): void {
    this.open = false;
    // EOF lets the helper hand the last output to the terminal program before it
    // exits; the kill is the backstop, and must not keep this process alive.
    this.child.stdin!.end();
    setTimeout(() => this.child.kill(), 2000).unref();
    for (const pipe of [this.child.stdout, this.child.stderr]) (pipe as unknown as { unref?(): void } | null)?.unref?.();
    this.child.unref();
  }
}
