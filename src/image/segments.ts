// What every image format comes down to: bytes at addresses. Shared by the readers.

/** A run of bytes to write at `address` (a load address: where the bytes are stored). */
export interface ImageSegment {
  address: number;
  data: Uint8Array;
}

/** A file that cannot be read as an image: names the file and what is wrong. */
export class ImageError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ImageError';
  }
}

/**
 * Sort chunks by address and join the ones that touch into segments. Overlaps with the
 * same bytes are accepted (some tools repeat records); overlaps with different bytes are
 * an error, described by `conflict`.
 */
export function mergeChunks<C extends ImageSegment>(chunks: C[], conflict: (a: C, b: C, address: number) => string, file: string): ImageSegment[] {
  const sorted = chunks.filter((c) => c.data.length > 0).sort((a, b) => a.address - b.address);
  const out: ImageSegment[] = [];
  let i = 0;
  while (i < sorted.length) {
    // One run: chunks that start at or before the current end.
    const start = sorted[i].address;
    let end = start + sorted[i].data.length;
    let j = i + 1;
    while (j < sorted.length && sorted[j].address <= end) {
      end = Math.max(end, sorted[j].address + sorted[j].data.length);
      j++;
    }
    const data = new Uint8Array(end - start);
    const written = j - i > 1 ? new Uint8Array(end - start) : undefined;
    for (let k = i; k < j; k++) {
      const c = sorted[k];
      const at = c.address - start;
      if (written) {
        for (let m = 0; m < c.data.length; m++) {
          if (written[at + m] && data[at + m] !== c.data[m]) {
            const other = sorted.slice(i, k).reverse().find((p) => p.address <= c.address + m && c.address + m < p.address + p.data.length)!;
            throw new ImageError(file, conflict(other, c, (c.address + m) >>> 0));
          }
        }
        written.fill(1, at, at + c.data.length);
      }
      data.set(c.data, at);
    }
    out.push({ address: start, data });
    i = j;
  }
  return out;
}

export function imageSize(segments: readonly ImageSegment[]): number {
  return segments.reduce((n, s) => n + s.data.length, 0);
}
