// What the SWO tests on simulated boards share: letting the board run for some simulated
// time, and draining a capture.
import assert from 'node:assert/strict';
import type { ProbeSession } from '../../src/probe/session.js';
import type { SwoCapture, SwoRead } from '../../src/wire/debug-wire.js';

/** Let the session's board run `ms` milliseconds of simulated time (it must keep running). */
export async function runSimFor(session: ProbeSession, ms: number): Promise<void> {
  const clock = session.board.clock;
  const end = clock.now + (ms / 1000) * clock.hz;
  while (clock.now < end) {
    assert.equal(session.lastStop, null, 'the board keeps running');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Read a capture until nothing is pending; the bytes and every read's status. */
export async function readAllSwo(swo: SwoCapture): Promise<{ data: number[]; reads: SwoRead[] }> {
  const reads: SwoRead[] = [];
  const data: number[] = [];
  for (;;) {
    const r = await swo.read(1024);
    reads.push(r);
    data.push(...r.data);
    if (r.pending === 0) break;
  }
  return { data, reads };
}
