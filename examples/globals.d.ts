// Types for editors: the globals `tsprobe run` gives JavaScript/TypeScript scripts.
import type { Target } from '../src/script/target.js';
declare global {
  const target: Target;
  const args: string[];
  function hex(n: number, digits?: number): string;
  function sleep(ms: number): Promise<void>;
}
export {};
