// Every committed firmware, on every MPS2 board: it does what it is meant to on QEMU
// (the reference), and the simulator prints the same on UART0 and semihosting and
// ends the same way. Long-running programs get smaller counts, patched into a copy of
// the ELF's initialised data (the same copy runs on both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQemuTrace, qemuAvailable } from '../oracle/qemu-trace.js';
import { MPS2_BOARDS, firmwarePath } from '../oracle/firmware-paths.js';
import { createBoard } from '../../src/sim/boards/index.js';
import { parseElf } from '../../src/image/elf.js';
import { Machine, type MachineStop } from '../../src/sim/machine.js';

const skip = qemuAvailable() ? false : 'qemu-system-arm is not installed (the reference)';

interface Program {
  elf: string;
  /** Initialised 32-bit variables to change in a copy of the ELF. */
  patch?: Record<string, number>;
  /** What QEMU must show. */
  status: number | 'lockup';
  uart?: RegExp;
  semihosting?: RegExp;
}

const PROGRAMS: Program[] = [
  { elf: 'demo.elf', status: 0, uart: /^Hello from tsprobe's demo firmware on Cortex-M\d[\s\S]*tick 5: 50 ms of simulated time\nCounted to 5, exiting with status 0\.\n$/ },
  { elf: 'exit-status.elf', status: 3, uart: /^exit-status firmware: exiting with status 3\n$/ },
  { elf: 'selftest-O2.elf', status: 0, uart: /181 checks, 0 failures\n$/, semihosting: /181 checks, 0 failures\n$/ },
  { elf: 'cpubench.elf', patch: { cpubench_rounds: 2 }, status: 0, uart: /^cpubench: 2 rounds\n[\s\S]*checksum 0x[0-9a-f]{8}\n$/ },
  { elf: 'thumb1-loop.elf', patch: { thumb1_iterations: 5000 }, status: 0, uart: /^thumb1-loop: 5000 iterations, checksum 0x[0-9a-f]{8}\n$/ },
  { elf: 'chunk-runner.elf', status: 2, semihosting: /no chunk table at 0x00200000/ },
  { elf: 'lockup.elf', status: 'lockup', uart: /^lockup firmware: faulting inside HardFault now\n$/ },
];

/** A copy of the ELF with some initialised words changed (in the file image of .data). */
function patchedCopy(elfPath: string, patch: Record<string, number>, dir: string): string {
  const bytes = new Uint8Array(readFileSync(elfPath));
  const image = parseElf(bytes, elfPath);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [name, value] of Object.entries(patch)) {
    const addr = image.symbol(name);
    assert.ok(addr !== undefined, `${elfPath} has no symbol ${name}`);
    const sec = image.sections.find((s) => s.type !== 8 /* NOBITS */ && addr >= s.addr && addr + 4 <= s.addr + s.size && s.addr !== 0);
    assert.ok(sec, `${name} is not in an initialised section`);
    view.setUint32(sec.offset + (addr - sec.addr), value, true);
  }
  const out = join(dir, elfPath.split('/').slice(-2).join('-'));
  writeFileSync(out, bytes);
  return out;
}

async function runOnSimulator(board: string, elf: string) {
  let uart = '';
  let semihosting = '';
  const b = createBoard(board, {
    console: { write: (_s, data) => void (semihosting += Buffer.from(data).toString('latin1')), read: () => new Uint8Array(0) },
  });
  b.uarts[0].output = (byte) => void (uart += String.fromCharCode(byte));
  b.load(parseElf(new Uint8Array(readFileSync(elf)), elf));
  b.reset();
  const stop: MachineStop = await new Machine(b, { maxCycles: 200_000_000 }).run();
  return { uart, semihosting, stop };
}

for (const board of MPS2_BOARDS) {
  for (const p of PROGRAMS) {
    test(`${p.elf} on ${board}: as on QEMU`, { skip }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tsprobe-fw-'));
      try {
        const elf = p.patch ? patchedCopy(firmwarePath(board, p.elf), p.patch, dir) : firmwarePath(board, p.elf);
        const q = await runQemuTrace({ board, elf, trace: false, timeoutMs: 60_000 });
        assert.equal(q.timedOut, false, 'QEMU timed out');
        if (p.status === 'lockup') {
          assert.match(q.stderr, /Lockup/, 'QEMU did not report a lockup');
        } else {
          assert.equal(q.status, p.status, `status on QEMU; UART:\n${q.uart}\nsemihosting:\n${q.semihosting}`);
        }
        if (p.uart) assert.match(q.uart, p.uart, 'UART0 output on QEMU');
        if (p.semihosting) assert.match(q.semihosting, p.semihosting, 'semihosting output on QEMU');

        const s = await runOnSimulator(board, elf);
        if (p.status === 'lockup') assert.equal(s.stop.kind, 'lockup', `the simulator ended with ${JSON.stringify(s.stop)}`);
        else assert.deepEqual(s.stop.kind === 'exit' ? s.stop.status : s.stop, q.status, 'exit status on the simulator');
        assert.equal(s.uart, q.uart, 'UART0 output differs from QEMU');
        assert.equal(s.semihosting, q.semihosting, 'semihosting output differs from QEMU');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
