// Watch a variable with a DWT watchpoint and log every change.
//   tsprobe run --target sim:mps2-an385 --load firmware/build/mps2-an385/demo.elf examples/watch-variable.ts ticks 5
const [name = 'ticks', countText = '5'] = args;
const addr = target.symbol(name);
const changes = Number(countText);

await target.halt();
await target.addWatchpoint(addr, 4, 'write');
let last = await target.read32(addr);
console.log(`watching ${name} at ${hex(addr)}: ${last}`);
for (let n = 0; n < changes; ) {
  await target.resume();
  await target.waitForHalt(5000);
  const value = await target.read32(addr);
  if (value !== last) {
    console.log(`${name} changed: ${last} -> ${value} (pc ${hex(await target.reg('pc'))})`);
    last = value;
    n++;
  }
}
await target.removeWatchpoint(addr);
await target.resume();
