// Search RAM for a byte pattern, as the old probe's memsrch.
//   tsprobe run examples/memsrch.ts "Hello" 0x00000000 0x4000
const [patternText = 'Hello', startText = '0x00000000', lenText = '0x4000'] = args;
const pattern = new TextEncoder().encode(patternText);
const start = Number(startText);
const length = Number(lenText);

const mem: Uint8Array = await target.readBlock(start, length);
const found: number[] = [];
outer: for (let i = 0; i + pattern.length <= mem.length; i++) {
  for (let j = 0; j < pattern.length; j++) if (mem[i + j] !== pattern[j]) continue outer;
  found.push(start + i);
}
console.log(`'${patternText}' found ${found.length} time(s)${found.length ? ': ' + found.map((a) => hex(a)).join(' ') : ''}`);
