// What the debug unit needs from the simulated core (a subset of sim/cpu's Cpu, by shape,
// so this folder does not depend on the core's internals).

export interface DebugCore {
  /** Debug state (DHCSR.S_HALT). */
  halted: boolean;
  /** Sleeping in WFI/WFE; entering debug state wakes the core (a debug event is a wake-up event). */
  sleeping: boolean;
  /** Held in reset by nRST: executes nothing until released. */
  resetHeld: boolean;
  /** Lockup; entering Debug state clears it. */
  lockedUp: boolean;
  /** Address of the next instruction. */
  readonly pc: number;
  /** The exception number being handled, 0 in Thread mode. */
  readonly ipsr: number;
  readCoreReg(sel: number): number;
  writeCoreReg(sel: number, v: number): void;
  debugHook: ((pc: number) => boolean) | null;
  watchHook: ((addr: number, size: number, write: boolean, value: number) => void) | null;
  reset(): void;
  /**
   * Set while DHCSR.C_MASKINTS is in force (stepping with interrupts masked): the exception
   * model does not take PendSV, SysTick or external interrupts. Optional until the core has it.
   */
  debugMaskInts?: boolean;
}
