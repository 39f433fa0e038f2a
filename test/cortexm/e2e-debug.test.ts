// End to end through the whole debug path: src/cortexm -> src/adi -> the DebugWire ->
// the simulated SW-DP and AHB-AP -> the simulated core, with the board running in the
// background as a real target would. Loads the demo firmware through the MEM-AP, runs to
// a hardware breakpoint and a watchpoint, reads registers, steps into an exception
// (NMI) and resets into a halt at the reset vector, on all three MPS2 boards.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { ProbeSession } from '../../src/probe/session.js';
import { parseElf } from '../../src/image/elf.js';
import { connectCortexM } from '../../src/cortexm/connect.js';

const ICSR = 0xe000ed04;

for (const board of ['mps2-an385', 'mps2-an386', 'mps2-an500']) {
  const elfPath = `firmware/build/${board}/demo.elf`;
  test(`debug the demo firmware on ${board} through the simulated SW-DP`, { skip: !existsSync(elfPath) && `${elfPath} not built` }, async () => {
    const session = ProbeSession.open(`sim:${board}`);
    try {
      const image = parseElf(new Uint8Array(readFileSync(elfPath)), elfPath);
      const { core, mem } = await connectCortexM(session.wireFor('test'));
      assert.match(core.coreName, board === 'mps2-an385' ? /M3/ : board === 'mps2-an386' ? /M4/ : /M7/);

      // Halt at the reset vector, load the image through the AHB-AP, reset-halt again.
      await core.reset({ halt: true });
      for (const c of image.loadChunks()) await mem.writeBlock(c.addr, c.data);
      const loaded = await mem.readBlock(image.loadChunks()[0].addr, 256);
      assert.deepEqual(loaded, image.loadChunks()[0].data.subarray(0, 256));
      await core.reset({ halt: true });
      const reason = await core.haltReason();
      assert.equal(reason.kind, 'vector-catch');
      const resetVector = (await mem.read32(4)) & ~1;
      assert.equal(await core.readRegister('pc'), resetVector);
      assert.equal(await core.readRegister('sp'), await mem.read32(0));

      // A hardware breakpoint in the SysTick handler.
      const handler = image.symbol('SysTick_Handler')! & ~1;
      assert.equal(await core.breakpoints.add(handler), 'hardware');
      await core.resume();
      await core.waitForHalt();
      const bp = await core.haltReason();
      assert.equal(bp.kind, 'breakpoint');
      const regs = await core.readRegisters(['pc', 'xpsr', 'sp', 'lr', 'msp', 'control', 'primask']);
      assert.equal(regs.get('pc'), handler);
      assert.equal(regs.get('xpsr')! & 0x1ff, 15, 'IPSR: SysTick');
      assert.equal((regs.get('lr')! >>> 28), 0xf, 'LR holds an EXC_RETURN');
      assert.equal(regs.get('sp'), regs.get('msp'));

      // A write watchpoint on `ticks`: the handler's increment stops the core after the store.
      const ticks = image.symbol('ticks')!;
      await core.breakpoints.remove(handler);
      const before = await mem.read32(ticks);
      await core.watchpoints.add(ticks, 4, 'write');
      await core.resume();
      await core.waitForHalt();
      const wp = await core.haltReason();
      assert.equal(wp.kind, 'watchpoint');
      assert.equal(wp.watch?.address, ticks);
      assert.equal(await mem.read32(ticks), before + 1);
      const pcAfter = await core.readRegister('pc');
      assert.ok(pcAfter > handler && pcAfter < handler + 0x20, `stopped inside the handler, after the store (pc ${pcAfter.toString(16)})`);
      await core.watchpoints.remove(ticks);

      // Step into an exception: NMI is not masked by C_MASKINTS, so one step enters its handler.
      await mem.write32(ICSR, 1 << 31);
      await core.step();
      const nmiVector = (await mem.read32(8)) & ~1;
      const afterStep = await core.readRegisters(['pc', 'xpsr', 'sp']);
      assert.equal(afterStep.get('pc'), nmiVector, 'halted on the first instruction of the NMI handler');
      assert.equal(afterStep.get('xpsr')! & 0x1ff, 2, 'IPSR: NMI');
      const stackedPc = await mem.read32(afterStep.get('sp')! + 24);
      assert.equal(stackedPc, pcAfter, 'the exception frame holds the interrupted pc');
      assert.equal((await core.haltReason()).kind, 'step');

      // A plain step in Thread code moves by one instruction.
      // Reset and halt at the reset vector once more.
      await core.reset({ halt: true });
      assert.equal(await core.readRegister('pc'), resetVector);
      assert.equal((await core.readRegister('xpsr')) & 0x1ff, 0);
    } finally {
      await session.close();
    }
  });
}
