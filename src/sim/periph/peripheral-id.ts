// CoreSight/PrimeCell style identification registers at 0xFD0-0xFFC, which
// the CMSDK peripherals carry: PID4-7, PID0-3, CID0-3 (one byte per word).

/** `ids` lists PID4, PID5, PID6, PID7, PID0, PID1, PID2, PID3, CID0-3. Returns undefined outside 0xFD0-0xFFF. */
export function readIdRegister(offset: number, ids: readonly number[]): number | undefined {
  if (offset < 0xfd0 || offset > 0xfff) return undefined;
  return ids[(offset - 0xfd0) >> 2] ?? 0;
}

const CID = [0x0d, 0xf0, 0x05, 0xb1];
/** CMSDK part numbers (PID0) from the CMSDK technical reference manual. */
export const cmsdkIds = (pid0: number): readonly number[] => [0x04, 0, 0, 0, pid0, 0xb8, 0x1b, 0x00, ...CID];
