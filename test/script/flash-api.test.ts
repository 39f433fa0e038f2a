// Flash through the scripting API on a simulated STM32H743, in-process: Target's
// flashErase/flashProgram/flashDone/flashImage, and the Python module's flash_erase,
// flash_write, flash_done, flash_image; what each refuses and how it says so.
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { Target, ScriptError } from '../../src/index.js';
import { ProbeContext } from '../../src/script/probe-context.js';
import { PythonRuntime } from '../../src/script/python/runtime.js';
import { readImage } from '../../src/image/image.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const HEX = path.join(root, 'test/image/fixtures/demo-h743.hex');
const FLASH_CR1 = 0x5200200c;

test('Target: erase, program unaligned data, done; flashImage of a HEX file verifies; the controller ends locked', async () => {
  const t = await Target.open('sim:stm32h743');
  try {
    const info = await t.detect();
    assert.equal(info.chip, 'STM32H743');
    assert.ok(info.flash, 'a flash driver');
    // Erase sector 2 (any range inside it erases the whole sector), program 100 bytes at an odd address.
    await t.flashErase(0x08040010, 1);
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 13 + 1) & 0xff);
    await t.flashProgram(0x08040003, data);
    await t.flashDone();
    assert.equal(await t.verify(0x08040003, data), null);
    const around = await t.readBlock(0x08040000, 128);
    assert.deepEqual([...around.subarray(0, 3)], [0xff, 0xff, 0xff], 'padding before: erased value');
    assert.ok(around.subarray(103).every((b) => b === 0xff), 'padding after: erased value');
    assert.equal((await t.read32(FLASH_CR1)) & 1, 1, 'FLASH_CR1.LOCK set after flashDone');

    const r = await t.flashImage(HEX, { verify: true });
    const image = readImage(HEX);
    assert.equal(r.verifiedBytes, 1520);
    assert.equal(r.erasedBytes, 128 * 1024);
    for (const s of image.segments) assert.equal(await t.verify(s.address, s.data), null);
    assert.equal(await t.isHalted(), true, 'flashImage leaves the core halted');
    // sector 2 was not touched by the image
    assert.equal(await t.verify(0x08040003, data), null);
    assert.equal((await t.read32(FLASH_CR1)) & 1, 1);
  } finally {
    await t.detach();
  }
});

test('Target: flash errors are ScriptErrors naming the address and the fix', async () => {
  const t = await Target.open('sim:stm32h743');
  try {
    await assert.rejects(t.flashProgram(0x20000000, new Uint8Array(4)), (e: unknown) => e instanceof ScriptError && /flash program of 4 bytes at 0x20000000: .*0x20000000/.test((e as Error).message));
    await assert.rejects(t.flashErase(0x08000000, 0), /flash erase length 0: use a positive byte count/);
    await assert.rejects(t.flashImage(path.join(root, 'test/image/fixtures/nope.hex')), /nope\.hex: no such file/);
    // flash not erased first: the controller refuses to program a word twice (OPERR on this simulated H7)
    await t.flashErase(0x08020000, 32);
    await t.flashProgram(0x08020000, Uint8Array.of(1, 2, 3, 4));
    await assert.rejects(t.flashProgram(0x08020000, Uint8Array.of(5, 6, 7, 8)), /flash program of 4 bytes at 0x08020000: .*(OPERR|not erased)/);
    await t.flashDone();
  } finally {
    await t.detach();
  }
  const ram = await Target.open('sim:mps2-an385');
  try {
    await assert.rejects(ram.flashProgram(0x0, new Uint8Array(4)), /flash program of 4 bytes at 0x00000000: no flash on this target/);
  } finally {
    await ram.detach();
  }
});

test('python: flash_erase, flash_write, flash_done and flash_image; errors are RuntimeError', async () => {
  const t = await Target.open('sim:stm32h743');
  let text = '';
  const py = await PythonRuntime.start(new ProbeContext(t), { output: (s) => (text += s) });
  try {
    await py.run(
      [
        'import target',
        "target.flash_erase(0x08100000, 4)",
        "target.flash_write(0x08100000, b'bank two' * 8)",
        'target.flash_done()',
        'b = bytearray(64); target.mem_read(b, 0x08100000); print(bytes(b) == b"bank two" * 8)',
        `r = target.flash_image(${JSON.stringify(HEX)})`,
        "print(r['erased'], r['verified'])",
        'try:',
        "    target.flash_write(0x30000000, b'xx')",
        'except RuntimeError as e:',
        "    print('RuntimeError', 'flash program of 2 bytes at 0x30000000' in str(e))",
      ].join('\n'),
      'flash.py',
    );
    assert.equal(text, 'True\n131072 1520\nRuntimeError True\n');
    assert.equal(await t.verify(0x08100000, new TextEncoder().encode('bank two'.repeat(8))), null);
  } finally {
    await py.close();
    await t.detach();
  }
});
