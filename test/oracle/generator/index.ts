// Public face of the random instruction-stream generator (see generate.ts).
export { generateChunk, coverage, allSpecs } from './generate.js';
export type { GeneratedChunk, InstructionRecord } from './builder.js';
export type { GeneratorOptions } from './generate.js';
export { SCRATCH_BASE, SCRATCH_END } from './builder.js';
