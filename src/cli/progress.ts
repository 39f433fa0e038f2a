// Progress of a long operation in phases (erase, program, verify), for the flash command.
// On a terminal: one bar per phase, redrawn in place at most ten times a second, with
// bytes, percentage and speed. Elsewhere (a pipe, a log file, CI): no redraws, just one
// line per finished phase, as OpenOCD and probe-rs print when stdout is not a TTY.

export interface ProgressOutput {
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Draw bars with carriage returns (a TTY); otherwise plain lines. */
  tty: boolean;
  /** Nothing at all. */
  quiet?: boolean;
  /** Terminal width for the bar (default 80). */
  columns?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

interface Phase {
  name: string;
  started: number;
  done: number;
  total: number;
  drawn: number;
}

const REDRAW_MS = 100;

export class PhaseProgress {
  private phase: Phase | undefined;
  private readonly now: () => number;
  /** Each finished phase: name, bytes, seconds. */
  readonly finished: { name: string; bytes: number; seconds: number }[] = [];

  constructor(
    private readonly out: ProgressOutput,
    private readonly opts: ProgressOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** `done` of `total` bytes of `name`; a new name ends the phase before it. */
  update(name: string, done: number, total: number): void {
    const t = this.now();
    if (this.phase?.name !== name) {
      this.end();
      this.phase = { name, started: t, done: 0, total, drawn: -Infinity };
    }
    const p = this.phase!;
    p.done = done;
    p.total = total;
    if (this.opts.tty && !this.opts.quiet && (t - p.drawn >= REDRAW_MS || done >= total)) {
      p.drawn = t;
      this.out.write(`\r${this.line(p, t)}\x1b[K`);
    }
  }

  /** Finish the current phase (its last line stays on screen); `failed`: it stopped part-way. */
  end(failed = false): void {
    const p = this.phase;
    if (!p) return;
    this.phase = undefined;
    const t = this.now();
    this.finished.push({ name: p.name, bytes: p.done, seconds: (t - p.started) / 1000 });
    if (this.opts.quiet) return;
    if (this.opts.tty) this.out.write(`\r${this.line(p, t)}\x1b[K\n`);
    else if (failed) this.out.write(`${p.name}: stopped after ${formatBytes(p.done)} of ${formatBytes(p.total)}\n`);
    else this.out.write(`${p.name}: ${formatBytes(p.done)} in ${formatSeconds((t - p.started) / 1000)} (${formatRate(p.done, (t - p.started) / 1000)})\n`);
  }

  private line(p: Phase, t: number): string {
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const sizes = `${formatBytes(p.done)} / ${formatBytes(p.total)}`;
    const rate = formatRate(p.done, (t - p.started) / 1000);
    const label = p.name.padEnd(8);
    const fixed = label.length + pct.length + sizes.length + rate.length + 8;
    const width = Math.max(10, Math.min(40, (this.opts.columns ?? 80) - fixed));
    const full = Math.round(frac * width);
    return `${label}[${'#'.repeat(full)}${' '.repeat(width - full)}] ${pct}  ${sizes}  ${rate}`;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}

export function formatSeconds(s: number): string {
  return s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`;
}

/** KiB/s, or MiB/s from 1 MiB/s up; '-' before any time has passed. */
export function formatRate(bytes: number, seconds: number): string {
  if (seconds <= 0) return '- KiB/s';
  const kib = bytes / 1024 / seconds;
  return kib >= 1024 ? `${(kib / 1024).toFixed(2)} MiB/s` : `${kib.toFixed(1)} KiB/s`;
}
