// Program an ELF image through the debug port and verify it, region by region.
// The simulated MPS2 boards run from RAM, so target.load() programs with block writes;
// on a chip with flash, target.flashErase/flashProgram do it (until that chip's flash
// driver exists they stop with "no flash on this target").
//   tsprobe run --target sim:mps2-an385 examples/program-verify.ts firmware/build/mps2-an385/demo.elf
const [file = 'firmware/build/mps2-an385/demo.elf'] = args;

const image = await target.load(file); // writes every loadable segment, halts at the reset vector
let total = 0;
for (const chunk of image.loadChunks()) {
  const bad = await target.verify(chunk.addr, chunk.data);
  if (bad !== null) throw new Error(`verify failed at ${hex(bad)}`);
  console.log(`${hex(chunk.addr)}: ${chunk.data.length} bytes verified`);
  total += chunk.data.length;
}
console.log(`${file}: ${total} bytes programmed and verified; pc ${hex(await target.reg('pc'))}`);
