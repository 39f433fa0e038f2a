// CPU throughput (issue 2): tsprobe's simulated core against QEMU's TCG on a CPU-bound
// firmware of ours, and against rp2040js on the same Thumb-1 loop. Prints figures and
// ratios; asserts nothing about speed.
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { RP2040 } from 'rp2040js';
import { createBoard } from '../src/sim/boards/index.js';
import { parseElf } from '../src/image/elf.js';
import { Machine } from '../src/sim/machine.js';
import { THUMB1_LOOP, THUMB1_LOOP_INSTRUCTIONS_PER_ITERATION } from './thumb1-loop.js';
import { type BenchRow, fmt } from './report.js';

const BOARD = 'mps2-an385';
const CPUBENCH = `firmware/build/${BOARD}/cpubench.elf`;
const EMPTY = `firmware/build/${BOARD}/exit-status.elf`;


/** Run an ELF on tsprobe to its semihosting exit; returns instructions, seconds and UART text. */
async function runOnTsprobe(elfPath: string) {
  const uartText: string[] = [];
  const board = createBoard(BOARD);
  board.uarts[0].output = (byte: number) => void uartText.push(String.fromCharCode(byte));
  board.load(parseElf(readFileSync(elfPath), elfPath));
  board.reset();
  const machine = new Machine(board, { sliceCycles: 1 << 24 });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const stop = await machine.run();
  const seconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const cpuSeconds = (c1.user + c1.system) / 1e6;
  return { instructions: board.clock.now, seconds, cpuSeconds, output: uartText.join(''), stop };
}

// QEMU's own CPU time, read with getrusage(RUSAGE_CHILDREN) by a python3 wrapper: on a
// shared machine CPU time is steadier than wall time.
const RUSAGE_WRAPPER = 'import resource,subprocess,sys\nr=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,timeout=120)\nu=resource.getrusage(resource.RUSAGE_CHILDREN)\nsys.stdout.buffer.write(r.stdout)\nsys.stderr.write("CPU %f\\n" % (u.ru_utime+u.ru_stime))';

/** Wall and CPU time of a QEMU run of an ELF (best of n), and what it printed. */
function runOnQemu(elfPath: string, n: number) {
  let best = Infinity;
  let bestCpu = Infinity;
  let output = '';
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync('python3', ['-c', RUSAGE_WRAPPER, 'qemu-system-arm', '-M', BOARD, '-nographic', '-semihosting', '-kernel', elfPath], {
      timeout: 130_000,
      encoding: 'latin1',
    });
    best = Math.min(best, (performance.now() - t0) / 1000);
    const m = /CPU ([\d.]+)/.exec(r.stderr ?? '');
    if (m) bestCpu = Math.min(bestCpu, Number(m[1]));
    output = r.stdout;
  }
  return { seconds: best, cpuSeconds: bestCpu, output };
}

function thumb1OnTsprobe(instructions: number): number {
  const board = createBoard(BOARD);
  // A two-word vector table: the reset vector enters the loop, as firmware would.
  board.bus.load(0x20000000, THUMB1_LOOP);
  board.bus.write32(0x00000000, 0x20010000);
  board.bus.write32(0x00000004, 0x20000001);
  board.reset();
  const cpu = board.cpu;
  cpu.r[0] = 0x7fffffff;
  cpu.r[1] = 0x20001000;
  const start = board.clock.now;
  const t0 = performance.now();
  const why = cpu.run(instructions);
  const seconds = (performance.now() - t0) / 1000;
  const executed = board.clock.now - start;
  if (executed !== instructions) throw new Error(`Thumb-1 loop stopped early on tsprobe (stop reason ${why}, pc 0x${cpu.pc.toString(16)})`);
  return executed / seconds;
}

function thumb1OnRp2040js(instructions: number): number {
  const mcu = new RP2040();
  mcu.sram.set(THUMB1_LOOP, 0);
  const core = mcu.core;
  core.PC = 0x20000000;
  core.registers[0] = 0x7fffffff;
  core.registers[1] = 0x20001000;
  core.registers[13] = 0x20002000;
  const t0 = performance.now();
  for (let i = 0; i < instructions; i++) core.executeInstruction();
  return instructions / ((performance.now() - t0) / 1000);
}

export async function benchCpu(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Thumb-1 loop: best of 3, after a warm-up, on both emulators.
  const N = 30_000_000;
  thumb1OnTsprobe(N / 10);
  thumb1OnRp2040js(N / 10);
  let ours = 0;
  let theirs = 0;
  for (let i = 0; i < 3; i++) {
    ours = Math.max(ours, thumb1OnTsprobe(N));
    theirs = Math.max(theirs, thumb1OnRp2040js(N));
  }
  rows.push({ name: `Thumb-1 loop (${THUMB1_LOOP_INSTRUCTIONS_PER_ITERATION} instr/iteration)`, unit: 'M instr/s', ours: ours / 1e6, peer: 'rp2040js', theirs: theirs / 1e6, higherIsBetter: true });

  if (!existsSync(CPUBENCH)) {
    console.log(`(skipping the firmware benchmark: ${CPUBENCH} is missing; run 'make -C firmware')`);
    return rows;
  }
  const sim = await runOnTsprobe(CPUBENCH);
  if (sim.stop.kind !== 'exit' || sim.stop.status !== 0) throw new Error(`cpubench on tsprobe ended with ${JSON.stringify(sim.stop)}`);
  const qemu = runOnQemu(CPUBENCH, 3);
  const qemuStartup = runOnQemu(EMPTY, 3).seconds;
  if (qemu.output.trim() !== sim.output.trim()) {
    console.log(`WARNING: cpubench output differs\n  tsprobe: ${JSON.stringify(sim.output)}\n  qemu:    ${JSON.stringify(qemu.output)}`);
  }
  const qemuSeconds = Math.max(qemu.seconds - qemuStartup, 1e-3);
  rows.push({
    name: `cpubench.elf (${fmt(sim.instructions / 1e6)} M instructions)`,
    unit: 'M instr/s',
    ours: sim.instructions / sim.seconds / 1e6,
    peer: 'QEMU TCG',
    theirs: sim.instructions / qemuSeconds / 1e6,
    higherIsBetter: true,
    note: `wall time; QEMU ${fmt(qemu.seconds)} s minus start-up ${fmt(qemuStartup)} s`,
  });
  const qemuCpu = Math.max(qemu.cpuSeconds - runOnQemu(EMPTY, 3).cpuSeconds, 1e-3);
  rows.push({
    name: 'cpubench.elf, CPU time',
    unit: 'M instr/s',
    ours: sim.instructions / sim.cpuSeconds / 1e6,
    peer: 'QEMU TCG',
    theirs: sim.instructions / qemuCpu / 1e6,
    higherIsBetter: true,
    note: `process CPU time (steadier on a loaded machine); QEMU start-up CPU time subtracted`,
  });
  return rows;
}
