// What `--target` names: for now the simulated boards (`sim:<board>`); real probes
// (`--probe usb:...`, `tcp://...`) arrive with the CMSIS-DAP wire.
import { boardNames } from '../sim/boards/index.js';

export type TargetSpec = { kind: 'sim'; board: string };

export class TargetSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetSpecError';
  }
}

// The board `npm start` runs the demo on, and what every command opens without --target
// or --probe (unless exactly one USB probe is attached).
export const DEFAULT_TARGET = 'sim:stm32h743';

export function parseTargetSpec(text: string = DEFAULT_TARGET): TargetSpec {
  const m = /^sim:(.+)$/.exec(text.trim());
  if (!m) {
    throw new TargetSpecError(`unknown target '${text}': use sim:<board> (boards: ${boardNames().join(', ')})`);
  }
  if (!boardNames().includes(m[1])) {
    throw new TargetSpecError(`unknown simulated board '${m[1]}' in --target ${text}; known boards: ${boardNames().join(', ')}`);
  }
  return { kind: 'sim', board: m[1] };
}
