// Dump a memory region to a file.
//   tsprobe run examples/dump-memory.ts 0x20000000 256 dump.bin
const [addrText = '0x20000000', lenText = '256', out = 'dump.bin'] = args;
const addr = Number(addrText);
const length = Number(lenText);
const { writeFileSync } = await import('node:fs');

const bytes: Uint8Array = await target.readBlock(addr, length);
writeFileSync(out, bytes);
const first = Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
console.log(`dumped ${bytes.length} bytes from ${hex(addr)} to ${out}; first bytes: ${first}`);
