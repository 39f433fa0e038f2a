// The board registry: create a simulated board by name.
import { BoardError, type Board, type BoardFactory, type BoardOptions } from './board.js';
import { createMps2Board, MPS2_BOARDS } from './mps2.js';
import { createStm32h7Board, STM32H7_BOARDS } from './stm32h7.js';

export * from './board.js';

const registry = new Map<string, { description: string; create: BoardFactory }>();

/** Add a board (other board families register here). */
export function registerBoard(name: string, description: string, create: BoardFactory): void {
  registry.set(name, { description, create });
}

for (const { name, description } of MPS2_BOARDS) {
  registerBoard(name, description, (opts) => createMps2Board(name, opts));
}
for (const { name, description } of STM32H7_BOARDS) {
  registerBoard(name, description, (opts) => createStm32h7Board(name, opts));
}

export function boardNames(): string[] {
  return [...registry.keys()];
}

/** Name and one-line description of every board. */
export function boardList(): { name: string; description: string }[] {
  return [...registry].map(([name, { description }]) => ({ name, description }));
}

export function createBoard(name: string, opts: BoardOptions = {}): Board {
  const entry = registry.get(name);
  if (!entry) {
    throw new BoardError(`unknown board '${name}'; known boards: ${boardNames().join(', ')}`);
  }
  return entry.create(opts);
}
