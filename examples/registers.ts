// Print the core registers (halts the core first).
//   tsprobe run examples/registers.ts
await target.halt();
const regs: Record<string, number> = await target.regs();
for (const [name, value] of Object.entries(regs)) console.log(`${name.padEnd(9)} ${hex(value)}`);
