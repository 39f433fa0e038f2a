// A probe session: one target, reached through one DebugWire, shared by the faces
// (gdb server, scripts, CLI) and arbitrated. For a simulated target the session also
// owns the board and its run loop: the core runs in the background in slices, and a
// debugger that resumes it through the wire wakes the loop.
//
// Arbitration (DESIGN.md): a CMSIS-DAP host drives the DP itself and caches DP/AP
// state, so it takes the wire exclusively; other users share it per operation and get
// ProbeBusyError while an exclusive owner holds it.
//
// A session on a real probe (ProbeSession.onWire: a CMSIS-DAP wire) has no board, debug
// system or run loop: the chip runs by itself. `simulated` tells the two apart; `board`,
// `debug`, `machine` and `simWire` throw a clear error on a probe session, and
// `simBoard` is the board or undefined.
import { createBoard } from '../sim/boards/index.js';
import type { Board } from '../sim/boards/board.js';
import { Machine, type MachineStop, type MachineOptions } from '../sim/machine.js';
import { attachDebug, type DebugSystem } from '../sim/debug/debug-system.js';
import { SimWire } from '../wire/sim-wire.js';
import type { DebugWire, SwoCapture } from '../wire/debug-wire.js';
import { parseTargetSpec, type TargetSpec } from './target-spec.js';

export class ProbeBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeBusyError';
  }
}

/** Something only a simulated target has was asked of a session on a real probe. */
export class NotSimulatedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotSimulatedError';
  }
}

export interface SessionOptions {
  /** Options for the simulated board's run loop (realtime pacing, input). */
  machine?: MachineOptions;
  /** Called when the simulated firmware exits, locks up or goes idle for good. */
  onMachineStop?: (stop: MachineStop) => void;
}

export class ProbeSession {
  readonly description: string;
  private exclusiveOwner: string | null = null;
  private loop: Promise<MachineStop> | null = null;
  /** How the simulated run loop last ended (null while it runs). */
  lastStop: MachineStop | null = null;

  private constructor(
    /** The simulated target named by --target; null for a probe session. */
    readonly spec: TargetSpec | null,
    private readonly sim: { board: Board; debug: DebugSystem; machine: Machine; wire: SimWire } | null,
    private readonly rawWire: DebugWire,
    private readonly opts: SessionOptions,
  ) {
    this.description = sim ? `sim:${sim.board.name}` : rawWire.description;
  }

  /** A session on a real target through `wire` (a CMSIS-DAP probe): no board, no run loop. */
  static onWire(wire: DebugWire, opts: SessionOptions = {}): ProbeSession {
    return new ProbeSession(null, null, wire, opts);
  }

  /** True for a simulated board in this process; false for a target behind a probe. */
  get simulated(): boolean {
    return this.sim !== null;
  }

  /** The simulated board, or undefined on a real probe. */
  get simBoard(): Board | undefined {
    return this.sim?.board;
  }

  private simOnly(what: string): NonNullable<ProbeSession['sim']> {
    if (!this.sim) throw new NotSimulatedError(`${what} exists only for simulated targets; this session is on the probe ${this.description}`);
    return this.sim;
  }

  get board(): Board {
    return this.simOnly('the simulated board').board;
  }

  get debug(): DebugSystem {
    return this.simOnly('the simulated debug system').debug;
  }

  get machine(): Machine {
    return this.simOnly('the simulator run loop').machine;
  }

  static open(target?: string, opts: SessionOptions = {}): ProbeSession {
    const spec = parseTargetSpec(target);
    const board = createBoard(spec.board);
    const debug = attachDebug(board);
    board.reset();
    const machine = new Machine(board, opts.machine);
    const wire = new SimWire(debug, `sim:${board.name}`);
    const session = new ProbeSession(spec, { board, debug, machine, wire }, wire, opts);
    session.wake();
    return session;
  }

  /** (Re)start or wake the background run loop; call after anything that may let the core run. */
  wake(): void {
    if (!this.sim) return; // a real chip runs by itself
    if (this.loop) {
      this.machine.kick();
      return;
    }
    this.lastStop = null;
    this.loop = this.machine.run().then(
      (stop) => this.loopEnded(stop),
      (err: unknown) => this.loopEnded({ kind: 'stopped', reason: `simulator error: ${err instanceof Error ? err.message : String(err)}` }),
    );
  }

  private loopEnded(stop: MachineStop): MachineStop {
    this.loop = null;
    this.lastStop = stop;
    this.opts.onMachineStop?.(stop);
    return stop;
  }

  /** Take the wire for `owner` alone (a CMSIS-DAP host) until release(). */
  acquireExclusive(owner: string): void {
    if (this.exclusiveOwner !== null && this.exclusiveOwner !== owner) {
      throw new ProbeBusyError(`probe busy: in use by ${this.exclusiveOwner}`);
    }
    this.exclusiveOwner = owner;
  }

  release(owner: string): void {
    if (this.exclusiveOwner === owner) this.exclusiveOwner = null;
  }

  get busyWith(): string | null {
    return this.exclusiveOwner;
  }

  /**
   * The wire as seen by `owner`: every call checks arbitration, and every batch wakes
   * the run loop afterwards (the batch may have resumed, stepped or reset the core).
   */
  wireFor(owner: string): DebugWire {
    const session = this;
    const raw: DebugWire = this.rawWire;
    const check = () => {
      if (session.exclusiveOwner !== null && session.exclusiveOwner !== owner) {
        throw new ProbeBusyError(`probe busy: in use by ${session.exclusiveOwner}`);
      }
    };
    const after = <T>(v: T): T => {
      session.wake();
      return v;
    };
    return {
      description: raw.description,
      confirmsWrites: raw.confirmsWrites,
      configure: (o) => raw.configure(o),
      transfer: async (batch) => (check(), after(await raw.transfer(batch))),
      transferBlock: async (req, count, data) => (check(), after(await raw.transferBlock(req, count, data))),
      ...(raw.blockStepWords ? { blockStepWords: (read: boolean, setupWrites: number) => raw.blockStepWords!(read, setupWrites) } : {}),
      ...(raw.transferBlocks ? { transferBlocks: async (steps: Parameters<NonNullable<DebugWire['transferBlocks']>>[0]) => (check(), after(await raw.transferBlocks!(steps))) } : {}),
      swjSequence: async (bits, data) => (check(), after(await raw.swjSequence(bits, data))),
      swdSequence: async (steps) => (check(), after(await raw.swdSequence(steps))),
      setReset: async (asserted) => (check(), after(await raw.setReset(asserted))),
      setClock: async (hz) => (check(), raw.setClock(hz)),
      ...(raw.swo ? { swo: guardedSwo(raw.swo, check) } : {}),
      close: async () => session.release(owner),
    };
  }

  /** The wire without arbitration, for the CMSIS-DAP device's synchronous fast path. */
  get simWire(): SimWire {
    return this.simOnly('the simulator wire').wire;
  }

  async close(): Promise<void> {
    if (!this.sim) {
      await this.rawWire.close(); // LEDs off, DAP_Disconnect, link closed
      return;
    }
    this.machine.stop('session closed');
    if (this.loop) await this.loop;
  }
}

/** A wire's SWO capture behind the session's arbitration (another owner gets "probe busy"). */
function guardedSwo(swo: SwoCapture, check: () => void): SwoCapture {
  return {
    modes: swo.modes,
    bufferSize: swo.bufferSize,
    configure: async (mode, baud) => (check(), swo.configure(mode, baud)),
    start: async () => (check(), swo.start()),
    stop: async () => (check(), swo.stop()),
    read: async (max) => (check(), swo.read(max)),
  };
}
