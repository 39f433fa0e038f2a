// Loading an image the way gdb's `load` does, for the commands that take `--load`:
// the core is reset and halted, flash parts go through the detected chip's flash
// driver, RAM parts through the debug port, everything is verified, and the core is
// reset and halted again at the reset vector.
import type { Connection } from '../cortexm/connect.js';
import type { FlashProgress } from './flash.js';
import { programImage, type ImageSegment, type ProgramImageResult } from './flash-loader.js';
import { detectTarget } from './registry.js';
import type { TargetInfo } from './target-info.js';

export interface LoadImageResult extends ProgramImageResult {
  readonly info: TargetInfo;
}

export async function loadImage(conn: Connection, segments: readonly ImageSegment[], opts: { verify?: boolean; progress?: FlashProgress } = {}): Promise<LoadImageResult> {
  await conn.core.reset({ halt: true });
  const info = await detectTarget(conn);
  const result = await programImage(conn.mem, info.flash, segments, { verify: opts.verify ?? true, progress: opts.progress, memoryMap: info.memoryMap });
  await conn.core.reset({ halt: true });
  await conn.core.haltReason();
  return { ...result, info };
}
