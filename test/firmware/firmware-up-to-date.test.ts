// The committed ELFs are what the committed sources build to: rebuild the firmware in
// a temporary copy (when arm-none-eabi-gcc is installed) and compare what gets loaded
// (segments and their addresses; debug info holds build paths, so whole files differ).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseElf } from '../../src/image/elf.js';

const FIRMWARE = fileURLToPath(new URL('../../../firmware/', import.meta.url));
const gcc = spawnSync('arm-none-eabi-gcc', ['--version'], { encoding: 'utf8', timeout: 10_000 });
const skip = gcc.status === 0 ? false : 'arm-none-eabi-gcc is not installed (the committed ELFs are used as they are)';

function loaded(path: string): string {
  const image = parseElf(new Uint8Array(readFileSync(path)), path);
  return image
    .loadChunks()
    .map((c) => `${c.addr.toString(16)}:${Buffer.from(c.data).toString('hex')}`)
    .join('\n');
}

test('the committed firmware ELFs match their sources', { skip, timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-fwbuild-'));
  try {
    for (const part of ['Makefile', 'common', 'include', 'ld', 'src']) cpSync(join(FIRMWARE, part), join(dir, part), { recursive: true });
    const make = spawnSync('make', ['-s', '-j2', '-C', dir], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(make.status, 0, `make failed:\n${make.stdout}\n${make.stderr}`);
    const stale: string[] = [];
    let count = 0;
    for (const board of readdirSync(join(dir, 'build'))) {
      for (const file of readdirSync(join(dir, 'build', board))) {
        const fresh = join(dir, 'build', board, file);
        const committed = join(FIRMWARE, 'build', board, file);
        count++;
        if (!existsSync(committed)) stale.push(`${board}/${file} is not committed`);
        else if (file.endsWith('.elf') ? loaded(fresh) !== loaded(committed) : !readFileSync(fresh).equals(readFileSync(committed))) {
          stale.push(`${board}/${file} differs from a fresh build`);
        }
      }
    }
    assert.ok(count >= 27, `only ${count} files were built`);
    assert.deepEqual(stale, [], "run 'make -C firmware' and commit firmware/build");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
