// The scripting Target API against a simulated board, in-process.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Target, ScriptError } from '../../src/index.js';

const ELF = 'firmware/build/mps2-an385/demo.elf';

test('Target: info, memory by width, mem32 view, blocks, verify', async () => {
  const t = await Target.open('sim:mps2-an385');
  try {
    const info = t.info();
    assert.equal(info.core, 'Cortex-M3');
    assert.equal(info.dpidr, 0x5ba02477);
    assert.equal(await t.read32(0xe000ed00), info.cpuid);
    await t.write32(0x20000010, 0xe000edf0);
    assert.equal(await t.read32(0x20000010), 0xe000edf0); // unsigned, not -536810000
    assert.equal(await t.read16(0x20000012), 0xe000);
    assert.equal(await t.read8(0x20000010), 0xf0);
    await t.write8(0x20000011, 0x12);
    assert.equal(await t.read32(0x20000010), 0xe00012f0);
    t.mem32[0x20000020] = 0xcafef00d; // queued write, ordered before the next read
    assert.equal(await t.mem32[0x20000020], 0xcafef00d);
    assert.equal(await t.mem16[0x20000022], 0xcafe);
    const block = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    await t.writeBlock(0x20001001, block);
    assert.deepEqual(await t.readBlock(0x20001001, 300), block);
    assert.equal(await t.verify(0x20001001, block), null);
    const other = block.slice();
    other[5] ^= 1;
    assert.equal(await t.verify(0x20001001, other), 0x20001006);
    assert.ok(t.memoryMap().some((m) => m.type === 'ram' && m.start === 0x20000000));
  } finally {
    await t.detach();
  }
});

test('Target: errors name the address, the cause and the fix', async () => {
  const t = await Target.open('sim:mps2-an385');
  try {
    await assert.rejects(t.read32(0x50000000), /read at 0x50000000 failed: bus fault .*no memory is mapped there on mps2-an385/);
    await assert.rejects(t.read32(0x20000002), /32-bit access at 0x20000002: the address must be a multiple of 4/);
    await assert.rejects(t.write8(0x20000000, 0x100), /value 256 does not fit in 8 bits/);
    await assert.rejects(t.read32('x' as unknown as number), ScriptError);
    await t.resume();
    await assert.rejects(t.reg('pc'), /read register pc: the target is not halted; call halt\(\) first/);
    await assert.rejects(t.reg('r99'), /unknown core register 'r99'/);
    await assert.rejects(t.flashErase(0, 0x1000), /no flash on this target/);
    // a failed queued write surfaces on the next call
    t.mem32[0x20000002] = 1;
    await assert.rejects(t.flush(), /32-bit access at 0x20000002: the address must be a multiple of 4/);
    assert.equal(await t.read32(0x20000000), await t.read32(0x20000000));
  } finally {
    await t.detach();
  }
  await assert.rejects(t.read32(0x20000000), /the target is detached/);
});

test('Target: load, run control, registers, breakpoints and watchpoints on the demo firmware', async () => {
  const t = await Target.open('sim:mps2-an385', { load: ELF });
  try {
    assert.equal(await t.isHalted(), true);
    const entry = t.image!.entry & ~1;
    assert.equal(await t.reg('pc'), entry);
    const regs = await t.regs();
    assert.equal(regs.pc, entry);
    assert.equal(regs.sp, regs.msp);
    await t.setReg('r3', 0x89abcdef);
    assert.equal(await t.reg('r3'), 0x89abcdef);
    const pc = await t.step();
    assert.notEqual(pc, entry);

    const handler = t.symbol('SysTick_Handler');
    assert.equal(await t.addBreakpoint(handler), 'hardware');
    await t.resume();
    await t.waitForHalt(5000);
    assert.equal((await t.haltReason())?.kind, 'breakpoint');
    assert.equal(await t.reg('pc'), handler & ~1);
    await t.removeBreakpoint(handler);

    const ticks = t.symbol('ticks');
    const before = await t.mem32[ticks];
    await t.addWatchpoint(ticks, 4, 'write');
    await t.resume();
    await t.waitForHalt(5000);
    assert.equal((await t.haltReason())?.kind, 'watchpoint');
    assert.equal(await t.read32(ticks), before + 1);
    assert.equal(await t.removeWatchpoint(ticks), true);
    await t.reset({ halt: true });
    assert.equal(await t.reg('pc'), entry);
    assert.throws(() => t.symbol('no_such_symbol'), /no symbol 'no_such_symbol' in .*demo.elf/);
  } finally {
    await t.detach();
  }
});
