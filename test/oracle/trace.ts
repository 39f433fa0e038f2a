// A trace: the core's register state before every executed instruction, as a flat
// Uint32Array (fast to build and compare for millions of instructions).
// Layout per state: r0..r15 (r15 = address of the instruction about to execute),
// then xPSR. Notes (exception entries seen by QEMU, semihosting calls) hang off the
// state index they precede.

export const WORDS_PER_STATE = 17;
export const XPSR = 16;
export const PC = 15;

export class Trace {
  private buf = new Uint32Array(WORDS_PER_STATE * 4096);
  count = 0;
  /** Free-form remarks before state i (e.g. QEMU's "Taking exception 23 [v7M DIVBYZERO UsageFault]"). */
  readonly notes = new Map<number, string[]>();

  /** Append a state; returns the index. `src` holds r0..r15 then xPSR. */
  push(src: ArrayLike<number>): number {
    if ((this.count + 1) * WORDS_PER_STATE > this.buf.length) {
      const bigger = new Uint32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    const o = this.count * WORDS_PER_STATE;
    for (let k = 0; k < WORDS_PER_STATE; k++) this.buf[o + k] = src[k];
    return this.count++;
  }

  note(index: number, text: string): void {
    const list = this.notes.get(index);
    if (list) list.push(text);
    else this.notes.set(index, [text]);
  }

  /** Word k (0-15 registers, 16 xPSR) of state i. */
  get(i: number, k: number): number {
    return this.buf[i * WORDS_PER_STATE + k];
  }

  pc(i: number): number {
    return this.buf[i * WORDS_PER_STATE + PC];
  }

  xpsr(i: number): number {
    return this.buf[i * WORDS_PER_STATE + XPSR];
  }

  /** A copy of state i: r0..r15, xPSR. */
  state(i: number): Uint32Array {
    return this.buf.slice(i * WORDS_PER_STATE, (i + 1) * WORDS_PER_STATE);
  }
}

export const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/** Registers of one state as text, for divergence reports. */
export function formatState(s: ArrayLike<number>): string {
  const names = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc', 'xpsr'];
  const parts: string[] = [];
  for (let k = 0; k < WORDS_PER_STATE; k++) parts.push(`${names[k]}=${hex8(s[k])}`);
  return parts.join(' ');
}
