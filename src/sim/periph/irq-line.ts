// A peripheral's interrupt output. The board connects it to an NVIC line; a
// peripheral only says "my line is now high/low", like a wire.
export type IrqLine = (level: boolean) => void;

/** An output that goes nowhere (unconnected pin). */
export const noIrq: IrqLine = () => {};

/** OR several interrupt sources onto one line (as the MPS2 FPGA does for UART overflows). */
export function orGate(out: IrqLine, inputs: number): IrqLine[] {
  const levels = new Array<boolean>(inputs).fill(false);
  let last = false;
  return levels.map((_, i) => (level: boolean) => {
    levels[i] = level;
    const now = levels.some(Boolean);
    if (now !== last) {
      last = now;
      out(now);
    }
  });
}
