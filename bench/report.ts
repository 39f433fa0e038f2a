// Formatting of benchmark results: one row per measurement, with the peer measured
// in the same run and the ratio tsprobe/peer.
export interface BenchRow {
  name: string;
  unit: string;
  ours: number;
  peer?: string;
  theirs?: number;
  /** True when a bigger figure is better (throughput); false for times. */
  higherIsBetter: boolean;
  note?: string;
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

export function printRows(title: string, rows: BenchRow[]): void {
  console.log(`\n## ${title}`);
  for (const r of rows) {
    let line = `${r.name.padEnd(48)} tsprobe ${fmt(r.ours).padStart(8)} ${r.unit}`;
    if (r.peer !== undefined && r.theirs !== undefined) {
      line += ` | ${r.peer} ${fmt(r.theirs)} ${r.unit} | ratio tsprobe/${r.peer} ${fmt(r.ours / r.theirs)}`;
      line += r.higherIsBetter ? ' (higher is better)' : ' (lower is better)';
    }
    if (r.note) line += `  [${r.note}]`;
    console.log(line);
  }
}
