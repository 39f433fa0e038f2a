// Debian's unmodified OpenOCD 0.12 with its own target/stm32h7x.cfg and stm32h7x flash
// driver, through tsprobe's CMSIS-DAP device and the hidapi bridge, on the simulated
// STM32H743/H750: examine (DPIDR, AP0 core, AP2 DBGMCU set-up), flash probe (device ID,
// revision, size from the system memory), write_image erase + verify_image of the demo
// (OpenOCD's flash loader runs on the simulated core and drives the flash controller),
// then the demo runs from flash and greets on USART1. And a wrong sequence: a write to
// flash without unlocking leaves PGSERR in FLASH_SR1, as on silicon.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENOCD_INTERFACE_CFG, openocdSkipReason, ROOT, runOpenocd, startDapServer, type RunningDapServer } from '../../dap/harness.js';

const skip = openocdSkipReason();

const INTERFACE_CFG = OPENOCD_INTERFACE_CFG;
async function openocdRun(server: RunningDapServer, dir: string, commands: string[], dualBank = false): Promise<string> {
  const cfg = join(dir, 'interface.cfg');
  writeFileSync(cfg, INTERFACE_CFG);
  return runOpenocd(server.port, dir, ['-f', cfg, ...(dualBank ? ['-c', 'set DUAL_BANK 1'] : []), '-f', 'target/stm32h7x.cfg'], commands);
}

for (const { board, sizeK } of [{ board: 'stm32h743', sizeK: 2048 }, { board: 'stm32h750', sizeK: 128 }]) {
  describe(`OpenOCD 0.12 with target/stm32h7x.cfg on the simulated ${board}`, { skip }, () => {
    let server: RunningDapServer;
    let dir: string;
    let uart = '';
    before(async () => {
      server = await startDapServer({ board, config: { packetSize: 512 }, loop: false });
      server.session.board.uarts[0].output = (c) => (uart += String.fromCharCode(c));
      dir = mkdtempSync(join(tmpdir(), 'tsprobe-openocd-h7-'));
    });
    after(async () => {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('examines the chip and probes its flash: STM32H74x/75x revision V, size from FLASH_SIZE', async () => {
      const out = await openocdRun(server, dir, ['reset halt', 'flash probe 0', 'flash info 0', 'dap info 2']);
      assert.match(out, /SWD DPIDR 0x6ba02477/);
      assert.match(out, /Cortex-M7 r1p1 processor detected/);
      assert.match(out, /Device: STM32H74x\/75x/);
      assert.match(out, new RegExp(`flash size probed value ${sizeK}k`));
      assert.match(out, /STM32H74x\/75x - Rev: V/);
      assert.match(out, /#  0: 0x00000000 \(0x20000 128kB\) not protected/);
      assert.match(out, /AP ID register 0x54770002/);
      assert.match(out, /Part is 0x914, CoreSight SWO/);
      assert.doesNotMatch(out, /Error: (?!\[stm32h7x\.cpu0\] clearing lockup)/, 'no error other than the erased chip locking up at reset');
    });

    it('flash write_image erase + verify_image of the demo through OpenOCD\'s flash driver, then it runs from flash', async () => {
      const elf = join(ROOT, 'firmware/build', board, 'demo.elf');
      uart = '';
      const out = await openocdRun(server, dir, ['reset halt', `flash write_image erase ${elf}`, `verify_image ${elf}`, 'reset run', 'sleep 300', 'halt', 'reg pc']);
      assert.match(out, /wrote \d+ bytes from file .*demo\.elf/);
      assert.match(out, /verified \d+ bytes/);
      const pc = /pc \(\/32\): 0x([0-9a-f]{8})/.exec(out);
      assert.ok(pc && (parseInt(pc[1], 16) & 0xfff00000) === 0x08000000, `pc in flash:\n${out}`);
      assert.match(uart, new RegExp(`^Hello from tsprobe's ${board} demo: DBGMCU IDCODE 0x20036450`));
      assert.match(uart, /count 1 at 100 ms/);
    });

    it('a write to flash without the unlock sequence: FLASH_SR1.PGSERR, flash unchanged', async () => {
      const out = await openocdRun(server, dir, ['reset halt', 'mww 0x52002014 0x0fef0000', 'mww 0x08000000 0', 'echo "MARK [mdw 0x52002010] [mdw 0x08000000]"']);
      const m = /MARK 0x52002010: ([0-9a-f]{8}) +0x08000000: ([0-9a-f]{8})/.exec(out.replace(/\s+/g, ' '));
      assert.ok(m, out);
      assert.equal(parseInt(m[1], 16) & 0x006e0000, 0x00040000, 'PGSERR alone');
      assert.notEqual(m[2], '00000000');
    });

    if (board === 'stm32h743') {
      it('DUAL_BANK=1: 256 KiB written into bank 2 and verified; RDP lock/unlock (back to level 0 mass-erases); mass_erase', async () => {
        const bin = join(dir, 'data.bin');
        let x = 0x1234567;
        writeFileSync(bin, Uint8Array.from({ length: 256 * 1024 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24)));
        const out = await openocdRun(server, dir, [
          'reset halt', `flash write_image erase ${bin} 0x08100000 bin`, `verify_image ${bin} 0x08100000 bin`,
          `flash write_image erase ${bin} 0x08000000 bin`,
          'stm32h7x option_read 0 0x1c', 'stm32h7x lock 0', 'stm32h7x option_read 0 0x1c', 'stm32h7x unlock 0', 'stm32h7x option_read 0 0x1c',
          'echo "MARK [mdw 0x08000000] [mdw 0x08100000]"', 'stm32h7x mass_erase 1', 'flash erase_check 1',
        ], true);
        assert.match(out, /Bank \(1\) size is 1024 kb, base address is 0x08100000/);
        assert.match(out, /verified 262144 bytes/);
        const opts = [...out.matchAll(/Option Register: <0x5200201c> = 0x([0-9a-f]+)/g)].map((m) => (parseInt(m[1], 16) >>> 8) & 0xff);
        assert.deepEqual(opts, [0xaa, 0x00, 0xaa], 'RDP level 0, 1, 0 in OPTSR_CUR');
        const mark = /MARK 0x08000000: ([0-9a-f]{8}) +0x08100000: ([0-9a-f]{8})/.exec(out.replace(/\s+/g, ' '));
        assert.ok(mark, out);
        assert.equal(mark[1], 'ffffffff', 'leaving RDP level 1 erased the flash');
        assert.match(out, /stm32h7x mass erase complete/);
        assert.match(out, /Bank is erased/);
      });
    }
  });
}
