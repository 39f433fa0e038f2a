// Differential test (b): random valid instruction streams from the generator
// (test/oracle/generator), run in batches by the chunk runner on QEMU and on the
// simulator (chunk-harness.ts), compared after every instruction and on the scratch
// memory after every chunk. At least a million instructions per run by default.
//
// Environment: TSPROBE_ORACLE_INSTRUCTIONS (default 1000000) sets how many generated
// instructions to run; TSPROBE_ORACLE_SEED (default 20261124) the first seed, to
// explore other streams. A failure names the batch, seed and chunk to reproduce it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateChunk, allSpecs } from './generator/index.js';
import { runBatch, type BatchResult } from './chunk-harness.js';
import { qemuAvailable } from './qemu-trace.js';
import { faultChunks } from './fault-chunks.js';

const skip = qemuAvailable() ? false : 'qemu-system-arm is not installed (the oracle)';
const TARGET = Number(process.env.TSPROBE_ORACLE_INSTRUCTIONS ?? 1_000_000);
const SEED = Number(process.env.TSPROBE_ORACLE_SEED ?? 20261124);
const CHUNKS_PER_BATCH = 100; // one QEMU launch each
const INSTRUCTIONS_PER_CHUNK = 500;
const PER_BATCH = CHUNKS_PER_BATCH * INSTRUCTIONS_PER_CHUNK;
// Where the batches run: the M3 without the DSP extension, the M4 and M7 with it.
const PLAN: { board: string; dsp: boolean; share: number }[] = [
  { board: 'mps2-an385', dsp: false, share: 0.55 },
  { board: 'mps2-an386', dsp: true, share: 0.3 },
  { board: 'mps2-an500', dsp: true, share: 0.15 },
];
// Known divergences caused by simulator bugs, marked todo so the suite stays green
// while they are open: batch name -> reason.
const KNOWN: Record<string, string> = {};

const classes = new Map<string, number>();
const encodings = new Map<string, number>();
let compared = 0;
let chunkInstructions = 0;
let adopted = 0;

function merge(r: BatchResult): void {
  compared += r.compare.compared;
  chunkInstructions += r.chunkInstructionsCompared;
  adopted += r.adopted;
  for (const [k, v] of r.classCounts) classes.set(k, (classes.get(k) ?? 0) + v);
  for (const [k, v] of r.encodingCounts) encodings.set(k, (encodings.get(k) ?? 0) + v);
}

function failure(name: string, r: BatchResult): string | undefined {
  const parts: string[] = [...r.problems];
  if (r.compare.divergence) parts.push(r.compare.divergence.report);
  if (r.memoryDivergence) parts.push(r.memoryDivergence);
  return parts.length ? `${name}:\n${parts.join('\n')}` : undefined;
}

const batches = Math.max(1, Math.ceil(TARGET / PER_BATCH));
let seed = SEED;
let planned = 0;
for (const p of PLAN) {
  const n = p === PLAN[PLAN.length - 1] ? batches - planned : Math.max(1, Math.round(batches * p.share));
  planned += n;
  for (let b = 0; b < n; b++) {
    const first = seed;
    seed += CHUNKS_PER_BATCH;
    const name = `${p.board}${p.dsp ? ' +DSP' : ''} seeds ${first}..${first + CHUNKS_PER_BATCH - 1}`;
    test(`generated chunks on ${name}`, { skip, todo: KNOWN[name] }, async (t) => {
      const chunks = [];
      for (let k = 0; k < CHUNKS_PER_BATCH; k++) chunks.push(generateChunk(first + k, INSTRUCTIONS_PER_CHUNK, { dsp: p.dsp }));
      const r = await runBatch(p.board, chunks, first, { dsp: p.dsp });
      merge(r);
      t.diagnostic(`${r.compare.compared} states compared (${r.chunkInstructionsCompared} generated instructions, ${r.adopted} UNKNOWN values adopted)`);
      const f = failure(name, r);
      if (f) assert.fail(`${f}\n(chunk k of this batch is generateChunk(${first} + k, ${INSTRUCTIONS_PER_CHUNK}, { dsp: ${p.dsp} }))`);
    });
  }
}

test('generated chunks: coverage and totals', { skip }, (t) => {
  const catalogue = new Set([...allSpecs.map((s) => s.cls), 'it']); // IT blocks are planned by the builder, not a spec
  t.diagnostic(`instructions compared: ${compared} (${chunkInstructions} of them generated), ${adopted} UNKNOWN values adopted from QEMU`);
  t.diagnostic(`instruction classes covered: ${classes.size} (generator catalogue: ${catalogue.size}): ${[...classes.keys()].sort().join(', ')}`);
  const names = [...new Set(allSpecs.map((s) => s.name))];
  const missing = names.filter((n) => !encodings.has(n));
  t.diagnostic(`distinct encodings covered: ${encodings.size} (${names.length - missing.length} of the generator catalogue's ${names.length}, plus set-up and IT forms)`);
  if (missing.length) t.diagnostic(`catalogue encodings not compared in this run: ${missing.join(', ')}`);
  const rare = [...encodings].filter(([, v]) => v < 10).map(([k]) => k);
  if (rare.length) t.diagnostic(`encodings seen fewer than 10 times: ${rare.join(', ')}`);
  if (TARGET >= 1_000_000) assert.ok(compared >= 1_000_000, `only ${compared} instructions were compared`);
});

// Chunks that fault or take exceptions (the generator's do not), on every board,
// each three times with different random registers and flags.
for (const p of PLAN) {
  test(`faulting chunks on ${p.board}`, { skip, todo: KNOWN[`faults ${p.board}`] }, async (t) => {
    const list = faultChunks(p.dsp);
    const chunks = [...list, ...list, ...list].map((f) => f.chunk);
    const r = await runBatch(p.board, chunks, SEED ^ 0x5a5a, { dsp: p.dsp });
    merge(r);
    t.diagnostic(`${r.compare.compared} states compared over ${chunks.length} chunks: ${list.map((f) => f.name).join('; ')}`);
    const f = failure(`faulting chunks on ${p.board}`, r);
    if (f) assert.fail(f);
  });
}

// The harness must notice differences: start the simulator from a different register
// value or a different scratch word, and expect a report.
test('the chunk comparison notices a planted register difference', { skip }, async () => {
  const chunks = [generateChunk(SEED, 100, { dsp: false })];
  const r = await runBatch('mps2-an385', chunks, SEED, { dsp: false, sabotage: 'register' });
  assert.ok(r.compare.divergence, 'no divergence reported');
  assert.match(r.compare.divergence.differences.join(' '), /^r5: /);
});

test('the chunk comparison notices a planted memory difference', { skip }, async () => {
  const chunks = [generateChunk(SEED, 100, { dsp: false })];
  const r = await runBatch('mps2-an385', chunks, SEED, { dsp: false, sabotage: 'memory' });
  assert.equal(r.compare.divergence, undefined);
  assert.match(r.memoryDivergence ?? '', /scratch memory differs after chunk 0: word at 0x2010fffc/);
});
