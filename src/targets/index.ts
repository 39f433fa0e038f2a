// src/targets: what chip is behind a connection (detection, memory map) and how to
// program its flash. Families live one per folder/file and register in registry.ts.
export { FlashError, type FlashDriver, type FlashProgress, type FlashRegion } from './flash.js';
export { formatRegion, gdbMemoryMap, rangeInside, regionAt, type MemoryRegion } from './memory-map.js';
export type { TargetFamily, TargetInfo } from './target-info.js';
export { detectTarget, genericTarget, knownFamilies, registerFamily } from './registry.js';
export { loadImage, type LoadImageResult } from './load-image.js';
export { FlashLoader, programImage, type ImageSegment, type ProgramImageOptions, type ProgramImageResult } from './flash-loader.js';
export { Stm32h7FlashDriver } from './stm32h7/flash.js';
