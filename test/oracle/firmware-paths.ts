// Where the committed firmware lives, from the compiled test's location
// (dist/test/oracle/*.js -> <repo>/firmware/build/<board>/<name>.elf).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseElf, type ElfSymbol } from '../../src/image/elf.js';

export const MPS2_BOARDS = ['mps2-an385', 'mps2-an386', 'mps2-an500'] as const;

export function firmwarePath(board: string, name: string): string {
  return fileURLToPath(new URL(`../../../firmware/build/${board}/${name}`, import.meta.url));
}

/** The symbol table of an ELF file. */
export function symbolsOf(elf: string): ElfSymbol[] {
  return parseElf(new Uint8Array(readFileSync(elf)), elf).symbols;
}
