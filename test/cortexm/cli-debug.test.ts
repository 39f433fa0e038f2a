// The debug subcommands as a user runs them: separate processes against sim:<board>.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// These checks are written for the MPS2 AN385 (its demo, memory map and CPUID); the
// default target is the STM32H743 since `npm start` runs there, so name the board.
const onAn385 = (args: string[]) => (args.includes('--target') ? args : [args[0], '--target', 'sim:mps2-an385', ...args.slice(1)]);
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/src/cli/main.js', ...onAn385(args)], { encoding: 'utf8', timeout: 20000 });

test('tsprobe info: DP, AP, core, ROM table and memory map of an MPS2 board', () => {
  const out = execFileSync(process.execPath, ['dist/src/cli/main.js', 'info', '--target', 'sim:mps2-an500'], { encoding: 'utf8', timeout: 20000 });
  assert.match(out, /DPIDR 0x5ba02477: SW-DP v2/);
  assert.match(out, /AP0 +AHB-AP, IDR 0x74770001, BASE 0xe00fe003, packed transfers yes/);
  assert.match(out, /core +Cortex-M7 r1p2 \(CPUID 0x411fc272\), FPB v2 with 8 breakpoints, DWT with 4 comparators/);
  assert.match(out, /0xe00ff000 +Cortex-M7 PPB ROM table/);
  assert.match(out, /0x20000000-0x203fffff +ram +ZBT SSRAM2\/3/);
  assert.match(out, /trace +SWO capture: uart, manchester, 1048576 B buffer; pin driven by the core's TPIU at 0xE0040000/);
  // The STM32H743 drives SWO from its own unit behind AP2.
  const h7 = execFileSync(process.execPath, ['dist/src/cli/main.js', 'info', '--target', 'sim:stm32h743'], { encoding: 'utf8', timeout: 20000 });
  assert.match(h7, /trace +SWO capture: .*; pin driven by SWO unit at 0xE00E3000 on AP2 \(APB-D\), through the SWTF funnel/);
});

test('tsprobe read of unmapped memory names the cause and the board', () => {
  const r = cli(['read', '0x70000000', '16']);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim(), 'tsprobe: read at 0x70000000 failed: bus fault (CTRL/STAT.STICKYERR) - no memory is mapped there on mps2-an385');
});

test('tsprobe write then read in one process each (fresh boards), and regs at a breakpoint', { skip: !existsSync('firmware/build/mps2-an385/demo.elf') }, () => {
  const w = cli(['write', '0x20000000', '0x11223344']);
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /wrote 1 value\(s\) of 32 bits at 0x20000000/);
  const r = cli(['read', 'ticks', '4', '--load', 'firmware/build/mps2-an385/demo.elf']);
  assert.match(r.stdout, /^20000004: 00000000/);
  const regs = cli(['regs', '--load', 'firmware/build/mps2-an385/demo.elf', '--run-to', 'SysTick_Handler']);
  assert.equal(regs.status, 0, regs.stderr);
  assert.match(regs.stdout, /exception 15 \(SysTick\)/);
  assert.match(regs.stdout, /halted: breakpoint, pc 0x[0-9a-f]{8} <SysTick_Handler\+0x0>/);
  const reset = cli(['reset', '--halt', '--load', 'firmware/build/mps2-an385/demo.elf']);
  assert.match(reset.stdout, /reset; halted at the reset vector \(vector-catch\), pc 0x[0-9a-f]{8} <Reset_Handler\+0x0>/);
});
