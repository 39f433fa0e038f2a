// Dev-time check (not a test: it needs binutils): disassembles generated chunks with
// arm-none-eabi-objdump and reports instructions it calls UNDEFINED or UNPREDICTABLE, and
// recorded instruction offsets that do not start an instruction in its listing.
//   node dist/test/oracle/generator/check-objdump.js [chunks] [count] [seed]

import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateChunk } from './generate.js';

const chunks = Number(process.argv[2] ?? 20);
const count = Number(process.argv[3] ?? 300);
const seed0 = Number(process.argv[4] ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'gen-'));
let bad = 0, total = 0;
const mnemonicMismatch = new Map<string, string>();
for (let c = 0; c < chunks; c++) {
  const chunk = generateChunk(seed0 + c, count, { dsp: true });
  const file = join(dir, `c${c}.bin`);
  writeFileSync(file, chunk.code);
  const out = execFileSync('arm-none-eabi-objdump', ['-D', '-b', 'binary', '-marm', '-Mforce-thumb', file], { encoding: 'utf8', timeout: 20000 });
  const lines = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^\s+([0-9a-f]+):\s+([0-9a-f ]+?)\s{2,}\t?(.*)$/.exec(line) ?? /^\s+([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$/.exec(line);
    if (m) lines.set(parseInt(m[1], 16), m[3].trim());
  }
  for (const ins of chunk.instructions) {
    total++;
    const text = lines.get(ins.offset);
    if (text === undefined) {
      bad++;
      console.log(`seed ${seed0 + c} +${ins.offset.toString(16)} ${ins.encoding}: not an instruction start in objdump's listing`);
      continue;
    }
    if (/undefined|unpredictable|illegal|\.word|\.short/i.test(text)) {
      bad++;
      console.log(`seed ${seed0 + c} +${ins.offset.toString(16)} ${ins.encoding}: ${text}`);
    }
    const first = ins.encoding.split(/[ /(,]/)[0].toLowerCase();
    const mn = text.split(/[\s.]/)[0].toLowerCase();
    if (!mn.startsWith(first.slice(0, 3)) && !mnemonicMismatch.has(ins.encoding)) mnemonicMismatch.set(ins.encoding, text);
  }
}
for (const [enc, text] of mnemonicMismatch) console.log(`name/mnemonic differ (check): ${enc} -> ${text}`);
console.log(`${total} instructions, ${bad} flagged, files in ${dir}`);
