// The run loop around a board: runs the core in slices, yields to the Node
// event loop between slices (so sockets, stdin and timers stay responsive),
// skips simulated time while the core sleeps, optionally paces simulated time to
// the wall clock, and ends on semihosting exit, lockup or a stop request.
import { StopReason } from './cpu/cpu.js';
import type { Board } from './boards/board.js';
import type { SemihostingExit } from './semihosting.js';

export type MachineStop =
  /** The firmware exited through semihosting; `status` is the process exit status. */
  | { kind: 'exit'; status: number; exit: SemihostingExit }
  /** The core locked up (a fault it could not take). */
  | { kind: 'lockup'; pc: number; message: string }
  /** stop() was called (Ctrl-C, a test, a debugger's kill). */
  | { kind: 'stopped'; reason: string }
  /** The core sleeps and nothing can ever wake it (no timer event, no host input). */
  | { kind: 'idle'; message: string }
  /** The cycle limit given in the options was reached. */
  | { kind: 'limit'; cycles: number };

export interface MachineOptions {
  /** Pace simulated time to the wall clock (for watching LEDs blink, typing at a REPL). */
  realtime?: boolean;
  /** Cycles per slice before yielding to the event loop. */
  sliceCycles?: number;
  /** Stop after this many simulated cycles (tests, benchmarks). */
  maxCycles?: number;
  /** True while some host input (stdin, a pty, a debugger) could still wake a sleeping core. */
  inputOpen?: () => boolean;
  /** Called after every slice (flush buffered UART output here). */
  onSlice?: () => void;
}

const DEFAULT_SLICE = 1 << 20;
/** Realtime mode runs slices of at most this much simulated time. */
const REALTIME_SLICE_SECONDS = 0.005;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

export class Machine {
  private stopRequest: string | null = null;
  private wake: (() => void) | null = null;
  private running = false;

  constructor(readonly board: Board, private readonly opts: MachineOptions = {}) {}

  /** Ask the loop to end; run() resolves with { kind: 'stopped' } after the current slice. */
  stop(reason = 'stopped'): void {
    this.stopRequest = reason;
    this.kick();
  }

  /** Host input arrived or a debugger resumed the core: wake a waiting loop. */
  kick(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private waitForKick(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  async run(): Promise<MachineStop> {
    if (this.running) throw new Error('machine is already running');
    this.running = true;
    try {
      return await this.loop();
    } finally {
      this.running = false;
    }
  }

  private async loop(): Promise<MachineStop> {
    const { cpu, clock } = this.board;
    const realtime = this.opts.realtime ?? false;
    const slice = realtime ? Math.max(1, Math.floor(clock.hz * REALTIME_SLICE_SECONDS)) : (this.opts.sliceCycles ?? DEFAULT_SLICE);
    const limit = this.opts.maxCycles === undefined ? Infinity : clock.now + this.opts.maxCycles;
    const wallStart = performance.now();
    const simStart = clock.now;
    // How far simulated time is ahead of the wall clock, in ms (realtime mode).
    const ahead = () => ((clock.now - simStart) / clock.hz) * 1000 - (performance.now() - wallStart);

    let lastYield = performance.now();
    for (;;) {
      if (this.stopRequest !== null) return { kind: 'stopped', reason: this.stopRequest };
      if (clock.now >= limit) return { kind: 'limit', cycles: clock.now - simStart };
      if (realtime) {
        const ms = ahead();
        if (ms > 1) await sleepMs(ms);
        if (this.stopRequest !== null) continue;
      }
      const why = cpu.run(Math.min(slice, limit - clock.now));
      this.opts.onSlice?.();
      switch (why) {
        case StopReason.Exit: {
          const exit = this.board.semihosting.exit ?? { status: cpu.exitCode, reason: 0 };
          return { kind: 'exit', status: exit.status, exit };
        }
        case StopReason.Lockup:
          return this.lockup();
        case StopReason.Halted:
          // A debugger holds the core; it kicks us when it resumes it.
          await this.waitForKick();
          break;
        case StopReason.Sleeping: {
          const deadline = clock.nextDeadline();
          if (deadline !== Infinity) {
            const target = Math.min(deadline, limit);
            if (realtime) {
              const ms = ((target - simStart) / clock.hz) * 1000 - (performance.now() - wallStart);
              if (ms > 0) {
                // Wake early if host input arrives meanwhile.
                await Promise.race([sleepMs(ms), this.waitForKick()]);
                this.wake = null;
                if (this.stopRequest !== null) continue;
                const now = simStart + Math.floor(((performance.now() - wallStart) / 1000) * clock.hz);
                clock.now = Math.max(clock.now, Math.min(now, target));
                clock.fireDue();
                break;
              }
            }
            clock.now = Math.max(clock.now, target); // sleeping costs no host time
            clock.fireDue();
            // A core that wakes on a periodic timer and sleeps again never ends a slice:
            // yield now and then so sockets and the debugger are served.
            if (performance.now() - lastYield > 5) {
              await yieldToEventLoop();
              lastYield = performance.now();
            }
            break;
          }
          if (this.opts.inputOpen?.()) {
            await this.waitForKick();
            clock.fireDue(); // input delivery is scheduled on the clock
            break;
          }
          return { kind: 'idle', message: `the core sleeps (WFI/WFE at ${hex(cpu.pc)}) with nothing left to wake it: no timer is running and there is no input` };
        }
        default:
          await yieldToEventLoop();
          lastYield = performance.now();
      }
    }
  }

  private lockup(): MachineStop {
    const cpu = this.board.cpu;
    // lockupPc: recorded by the core's enterLockup (read loosely: an older core may lack it).
    const lockupPc = (cpu as { lockupPc?: number }).lockupPc ?? -1;
    const pc = lockupPc >= 0 ? lockupPc : cpu.pc;
    const reason =
      cpu.ipsr === 3 ? 'HardFault while in HardFault'
      : cpu.ipsr === 2 ? 'fault while in NMI'
      : cpu.ipsr === 0 && lockupPc < 0 ? 'no usable vector table at reset'
      : 'fault during exception entry or return';
    return { kind: 'lockup', pc, message: `core locked up at ${hex(pc)} (${reason})` };
  }
}
