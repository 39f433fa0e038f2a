// Program a firmware image into the flash of an STM32H7 and verify it; then write a small
// record (a serial number) into a sector of its own with the low-level calls.
//   tsprobe run --target sim:stm32h743 examples/flash-program.ts [image.elf|.hex|.bin]
// (a simulated board forgets its flash when tsprobe exits: to keep it, serve the board with
// `tsprobe dap --target sim:stm32h743` and run this with --probe tcp://127.0.0.1:PORT)
const [file = 'firmware/build/stm32h743/demo.elf', serial = 'tsprobe-0001'] = args;

const chip = await target.detect();
console.log(`target: ${chip.description}`);

// Erases the sectors the image touches, programs, reads back; the core stays halted.
const r = await target.flashImage(file, { verify: true });
console.log(`${file}: erased ${r.erasedBytes}, programmed ${r.programmedBytes}, verified ${r.verifiedBytes} bytes`);
const vectors = await target.readWords(0x08000000, 2);
console.log(`initial sp ${hex(vectors[0])}, reset vector ${hex(vectors[1])}`);

// The low-level calls: erase a sector, program (the driver pads to 32-byte flash words), done.
const RECORD_AT = 0x080e0000; // the last 128 KiB sector of bank 1
const record = new TextEncoder().encode(serial);
await target.flashErase(RECORD_AT, record.length);
await target.flashProgram(RECORD_AT, record);
await target.flashDone();
const bad = await target.verify(RECORD_AT, record);
if (bad !== null) throw new Error(`serial record: verify failed at ${hex(bad)}`);
console.log(`serial record at ${hex(RECORD_AT)}: ${Buffer.from(record).toString('hex')}`);
