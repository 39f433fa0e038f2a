// The ELF reader against a committed tiny image (test/image/fixtures/tiny.S) and
// corrupted copies of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { parseElf, ElfError } from '../../src/image/elf.js';

// dist/test/image -> test/image/fixtures
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../../../test/image/fixtures/tiny.elf');
const bytes = () => new Uint8Array(readFileSync(fixture));

test('reads entry point, segments and symbols of a Cortex-M image', () => {
  const elf = parseElf(bytes(), 'tiny.elf');
  assert.equal(elf.machine, 40);
  assert.equal(elf.entry, 0x9); // reset | 1 (Thumb)
  assert.equal(elf.segments.length, 2);
  const [text, data] = elf.segments;
  assert.equal(text.paddr, 0);
  assert.equal(text.data.length, 0x14);
  // Little-endian initial SP and reset vector at the start of the image.
  assert.equal(new DataView(text.data.buffer, text.data.byteOffset).getUint32(0, true), 0x20001000);
  assert.equal(new DataView(text.data.buffer, text.data.byteOffset).getUint32(4, true), 0x9);
  // .data runs at 0x20000000 but is stored (LMA) at 0x400; .bss makes memsz larger.
  assert.equal(data.vaddr, 0x20000000);
  assert.equal(data.paddr, 0x400);
  assert.equal(data.data.length, 4);
  assert.equal(data.memsz, 0x44);
  assert.equal(elf.symbol('reset'), 0x9);
  assert.equal(elf.symbol('data_word'), 0x20000000);
  assert.equal(elf.symbol('bss_buf'), 0x20000004);
  assert.equal(elf.symbol('no_such_symbol'), undefined);
  assert.ok(elf.sections.some((s) => s.name === '.text' && s.addr === 0));
});

test('load chunks go to the load address and zero-fill the rest of memsz', () => {
  const elf = parseElf(bytes(), 'tiny.elf');
  const chunks = elf.loadChunks();
  const data = chunks.find((c) => c.addr === 0x400)!;
  assert.equal(data.data.length, 0x44);
  assert.equal(new DataView(data.data.buffer).getUint32(0, true), 0xcafef00d);
  assert.ok(data.data.subarray(4).every((b) => b === 0));
});

function expectError(mutate: (b: Uint8Array) => Uint8Array, pattern: RegExp) {
  const b = mutate(bytes());
  assert.throws(() => parseElf(b, 'bad.elf'), (e: unknown) => {
    assert.ok(e instanceof ElfError, 'an ElfError');
    assert.match((e as Error).message, /^bad\.elf: /);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

test('not an ELF file', () => {
  expectError(() => new TextEncoder().encode('just some text'), /not an ELF file/);
  expectError(() => new Uint8Array(0), /not an ELF file/);
});

test('64-bit, big-endian and foreign-machine files are named', () => {
  expectError((b) => ((b[4] = 2), b), /64-bit.*ELFCLASS32/);
  expectError((b) => ((b[5] = 2), b), /big-endian/);
  expectError((b) => ((b[18] = 62), (b[19] = 0), b), /built for x86-64 \(e_machine 62\), not ARM/);
  expectError((b) => ((b[18] = 243), (b[19] = 0), b), /RISC-V/);
  expectError((b) => ((b[16] = 1), b), /relocatable/);
});

test('truncated files and out-of-range tables', () => {
  expectError((b) => b.subarray(0, 40), /truncated ELF header/);
  // Cut inside the first segment's data (file offset 0x1000).
  expectError((b) => b.subarray(0, 0x1008), /segment 0 .* past the end of the file/);
  // Section header table pointing past the end.
  expectError((b) => {
    new DataView(b.buffer).setUint32(32, b.length + 100, true);
    return b;
  }, /section header table .* past the end/);
  // A program header table offset beyond the file.
  expectError((b) => {
    new DataView(b.buffer).setUint32(28, 0x7fffff00, true);
    return b;
  }, /program header table/);
  // memsz smaller than filesz in a PT_LOAD.
  expectError((b) => {
    const dv = new DataView(b.buffer);
    const phoff = dv.getUint32(28, true);
    dv.setUint32(phoff + 20, 1, true);
    return b;
  }, /memsz 1 smaller than filesz/);
});

test('a stripped image (no section headers) still loads', () => {
  const b = bytes();
  const dv = new DataView(b.buffer);
  dv.setUint32(32, 0, true); // e_shoff
  dv.setUint16(48, 0, true); // e_shnum
  const elf = parseElf(b, 'stripped.elf');
  assert.equal(elf.segments.length, 2);
  assert.equal(elf.symbols.length, 0);
});
