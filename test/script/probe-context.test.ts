// monitor python / monitor js through the gdb adapter's monitor hook: they answer only
// while the gdb server listens on loopback (they run code in the probe's process).
import test from 'node:test';
import assert from 'node:assert/strict';
import { Target } from '../../src/index.js';
import { ProbeContext } from '../../src/script/probe-context.js';

test('monitor js/python: evaluated on loopback, refused when the gdb server listens beyond it', async () => {
  const t = await Target.open('sim:mps2-an385');
  const ctx = new ProbeContext(t);
  try {
    const a = await ctx.adapter();
    assert.match((await a.monitor.command!('js', ['1']))!, /no JavaScript context in this probe/);
    ctx.evaluators.js = async (e) => `evaluated ${e}`;
    assert.equal(await a.monitor.command!('js', ['1', '+', '2']), 'evaluated 1 + 2\n');
    // the line as typed reaches the evaluator, repeated spaces included
    assert.equal(await a.monitor.command!('js', ['"a', 'b"'], '"a   b"'), 'evaluated "a   b"\n');
    assert.equal(await a.monitor.command!('swd_magic', []), null);
    await ctx.startGdb(0, '0.0.0.0');
    assert.match((await a.monitor.command!('js', ['1']))!, /monitor js is disabled while the gdb server listens on 0\.0\.0\.0/);
    await ctx.startGdb(0, '127.0.0.1');
    assert.equal(await a.monitor.command!('js', ['1']), 'evaluated 1\n');
  } finally {
    await ctx.close();
    await t.detach();
  }
});
