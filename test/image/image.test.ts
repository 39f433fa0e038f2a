// readImage against GNU objcopy as the peer: the Intel HEX and binary files objcopy makes
// from an ELF must read back as the same bytes at the same addresses as the ELF itself.
// Committed fixtures (test/image/fixtures/build.sh) so the tests need no toolchain; when
// arm-none-eabi-objcopy is installed, more ELFs are converted on the spot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { readImage, parseImage, ImageError, imageSize, type Image } from '../../src/image/image.js';
import { parseIntelHex } from '../../src/image/ihex.js';
import { ElfError } from '../../src/image/elf.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const fixtures = path.join(root, 'test/image/fixtures');
const fx = (name: string) => path.join(fixtures, name);

/** Flatten an image to address -> byte, for comparisons that ignore how runs are split. */
function byteMap(img: Image): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of img.segments) s.data.forEach((b, i) => m.set(s.address + i, b));
  return m;
}

test('ELF: file bytes at the load address (LMA), .bss left out, as objcopy and gdb load', () => {
  const img = readImage(fx('tiny.elf'));
  assert.equal(img.format, 'elf');
  assert.equal(img.entry, 0x9);
  assert.deepEqual(img.segments.map((s) => [s.address, s.data.length]), [[0, 0x14], [0x400, 4]]);
  assert.equal(new DataView(img.segments[1].data.buffer, img.segments[1].data.byteOffset).getUint32(0, true), 0xcafef00d);
  // The STM32H743 demo: .text in flash; its .bss segment has p_paddr in flash but no file bytes.
  const demo = readImage(fx('demo-h743.elf'));
  assert.deepEqual(demo.segments.map((s) => [s.address, s.data.length]), [[0x08000000, 0x5f0]]);
});

test('Intel HEX made by objcopy reads as the same bytes as the ELF (types 00, 01, 03, 04, 05)', () => {
  for (const [hex, elf] of [['tiny.hex', 'tiny.elf'], ['demo-h743.hex', 'demo-h743.elf']]) {
    const h = readImage(fx(hex));
    const e = readImage(fx(elf));
    assert.equal(h.format, 'ihex');
    assert.deepEqual(byteMap(h), byteMap(e), hex);
    assert.equal(h.entry, e.entry, `${hex}: entry from the start address record`);
  }
  // demo-h743.hex uses an extended linear address (04) for 0x0800xxxx and a start linear address (05)
  assert.equal(readImage(fx('demo-h743.hex')).segments[0].address, 0x08000000);
});

test('raw binary from objcopy -O binary at --addr, or at the default (flash) address', () => {
  const e = readImage(fx('demo-h743.elf'));
  const b = readImage(fx('demo-h743.bin'), { addr: 0x08000000 });
  assert.equal(b.format, 'bin');
  assert.deepEqual(byteMap(b), byteMap(e));
  assert.equal(b.entry, undefined);
  assert.equal(readImage(fx('demo-h743.bin'), { defaultAddr: 0x08000000 }).segments[0].address, 0x08000000);
  assert.equal(readImage(fx('demo-h743.bin'), { addr: 0x08020000, defaultAddr: 0x08000000 }).segments[0].address, 0x08020000);
  assert.throws(() => readImage(fx('demo-h743.bin')), /demo-h743\.bin: a raw binary has no address: give one with --addr/);
  assert.throws(() => readImage(fx('tiny.elf'), { addr: 0x08000000 }), /carries its own addresses; --addr is for raw binaries/);
});

test('every firmware ELF converted by the installed objcopy reads back identically', (t) => {
  const probe = spawnSync('arm-none-eabi-objcopy', ['--version'], { timeout: 10_000 });
  if (probe.error || probe.status !== 0) return t.skip('arm-none-eabi-objcopy not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'tsprobe-image-'));
  try {
    let n = 0;
    for (const board of ['mps2-an385', 'stm32h750']) {
      for (const name of readdirSync(path.join(root, 'firmware/build', board)).filter((f) => f.endsWith('.elf'))) {
        const elf = path.join(root, 'firmware/build', board, name);
        const out = path.join(dir, `${board}-${name}.hex`);
        const r = spawnSync('arm-none-eabi-objcopy', ['-O', 'ihex', elf, out], { timeout: 30_000 });
        assert.equal(r.status, 0, String(r.stderr));
        assert.deepEqual(byteMap(readImage(out)), byteMap(readImage(elf)), name);
        n++;
      }
    }
    assert.ok(n >= 5, `converted ${n} ELFs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extended segment address (02): base = segment * 16, offsets wrap within the segment', () => {
  // segment 0x1000 -> base 0x10000; a record at offset 0xFFFE with 4 bytes wraps to 0x10000
  const text = [':020000021000EC', ':04FFFE00AABBCCDDF1', ':0400000300001234B3', ':00000001FF'].join('\r\n');
  const img = parseIntelHex(text, 'seg.hex');
  assert.deepEqual(img.segments.map((s) => [s.address, [...s.data]]), [[0x10000, [0xcc, 0xdd]], [0x1fffe, [0xaa, 0xbb]]]);
  assert.equal(img.entry, 0x1234);
});

test('records that repeat the same bytes merge; runs that touch join into one segment', () => {
  const img = parseIntelHex([':020000001122CB', ':02000200334485', ':02000200334485', ':00000001FF'].join('\n'), 'ok.hex');
  assert.deepEqual(img.segments.map((s) => [s.address, [...s.data]]), [[0, [0x11, 0x22, 0x33, 0x44]]]);
});

function hexError(lines: string[], pattern: RegExp) {
  assert.throws(() => parseImage(new TextEncoder().encode(lines.join('\n')), 'bad.hex'), (e: unknown) => {
    assert.ok(e instanceof ImageError, `an ImageError: ${String(e)}`);
    assert.match((e as Error).message, /^bad\.hex: /);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

test('malformed Intel HEX: each error names the line and what is wrong', () => {
  const good = readFileSync(fx('demo-h743.hex'), 'utf8').trim().split(/\r?\n/);
  hexError(good.slice(0, 10), /no end-of-file record .* after line 10: the file is truncated/);
  hexError([...good.slice(0, 5), good[5].slice(0, 20)], /line 6: (truncated record|odd number of hex digits)/);
  hexError([...good.slice(0, 5), good[5].slice(0, 21)], /line 6: truncated record: it says 16 data bytes, so 42 hex digits, but has 20/);
  hexError([good[0], good[1].slice(0, -2) + (good[1].endsWith('00') ? '01' : '00'), ...good.slice(2)], /line 2: checksum 0x.. is wrong \(expected 0x46\)/);
  hexError([good[0], good[1].replace(/^(:.{12})./, '$1G'), ...good.slice(2)], /line 2: 'G' at column 14 is not a hex digit/);
  hexError(['this is not hex', ...good], /line 1: expected a record starting with ':'/);
  hexError([':00000006FA', ':00000001FF'], /line 1: unknown record type 0x06/);
  hexError([':03000004080000F1', ':00000001FF'], /line 1: extended linear address record \(type 04\) must have 2 data bytes, has 3/);
  hexError([...good, ':0100000000FF'], /data after the end-of-file record on line \d+/);
  hexError([':020000001122CB', ':02000100AABB98', ':00000001FF'], /lines 1 and 2 write different data at 0x00000001/);
  hexError([':00000001FF'], /no data records: nothing to program/);
  hexError([':02000004FFFFFC', ':10FFF80000000000000000000000000000000000F9', ':00000001FF'], /runs past the end of the 32-bit address space/);
});

test('other bad input: unknown format, missing file, broken ELF', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsprobe-image-'));
  try {
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    assert.throws(() => readImage(path.join(dir, 'notes.txt')), /notes\.txt: cannot tell the image format/);
    assert.throws(() => readImage(path.join(dir, 'missing.hex')), /missing\.hex: no such file/);
    writeFileSync(path.join(dir, 'cut.elf'), readFileSync(fx('tiny.elf')).subarray(0, 0x1008));
    assert.throws(() => readImage(path.join(dir, 'cut.elf')), (e: unknown) => e instanceof ElfError && /past the end of the file/.test((e as Error).message));
    writeFileSync(path.join(dir, 'fake.elf'), 'not an elf');
    assert.throws(() => readImage(path.join(dir, 'fake.elf')), /fake\.elf: not an ELF file/);
    writeFileSync(path.join(dir, 'empty.bin'), '');
    assert.throws(() => readImage(path.join(dir, 'empty.bin'), { addr: 0 }), /empty\.bin: the file is empty/);
    // the magic wins over the extension
    writeFileSync(path.join(dir, 'really-elf.bin'), readFileSync(fx('tiny.elf')));
    assert.equal(readImage(path.join(dir, 'really-elf.bin')).format, 'elf');
    // a .hex file without extension is recognised by its leading ':'
    writeFileSync(path.join(dir, 'firmware'), readFileSync(fx('tiny.hex')));
    const h = readImage(path.join(dir, 'firmware'));
    assert.equal(h.format, 'ihex');
    assert.equal(imageSize(h.segments), 0x18);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
