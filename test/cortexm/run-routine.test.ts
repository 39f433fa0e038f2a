// Routines run on the simulated core through the debug wire (src/cortexm/run-routine.ts):
// the CRC-32 routine against the host's CRC (src/gdb/crc32.ts) over random data in each
// kind of memory, and the core's registers, the work area and the debug registers exactly
// as they were afterwards, also after a routine that never ends or faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { ProbeSession } from '../../src/probe/session.js';
import { connectCortexM, type Connection } from '../../src/cortexm/connect.js';
import { BASE_REGISTER_NAMES } from '../../src/cortexm/registers.js';
import { CRC32_ROUTINE_CODE, crc32OnTarget } from '../../src/cortexm/crc32-routine.js';
import { RoutineError, RoutineFault, RoutineTimeout, runRoutine, type WorkArea } from '../../src/cortexm/run-routine.js';
import { crc32Update, gdbCrc32 } from '../../src/gdb/crc32.js';
import { ROOT } from '../gdb/harness.js';

const DHCSR = 0xe000edf0;
const DEMCR = 0xe000edfc;
const DFSR = 0xe000ed30;

interface Board {
  name: string;
  area: WorkArea;
  /** Where random data goes (writable by the debugger; room for the longest length), and read-only places to CRC as they are. */
  writable: [number, number][];
  readOnly: [number, number][];
  unmapped: number;
}

const BOARDS: Board[] = [
  { name: 'mps2-an385', area: { start: 0x203ff000, length: 0x1000, name: 'SSRAM2/3' }, writable: [[0x00001000, 1 << 20], [0x20000003, 1 << 20], [0x21000001, 1 << 20]], readOnly: [], unmapped: 0x30000000 },
  // ITCM (64 KiB), DTCM, AXI SRAM; flash is CRCed as it is (erased).
  { name: 'stm32h743', area: { start: 0x2407f000, length: 0x1000, name: 'AXI SRAM' }, writable: [[0x00000001, 0xfff0], [0x20000002, 1 << 16], [0x24000003, 1 << 18]], readOnly: [[0x08000000, 1 << 20], [0x08100005, 1 << 19]], unmapped: 0x60000000 },
];

const LENGTHS = [0, 1, 2, 3, 5, 7, 64, 1021, 64 * 1024, 64 * 1024 + 3];

const FP = Array.from({ length: 32 }, (_, i) => `s${i}`);

async function open(board: string): Promise<{ session: ProbeSession; conn: Connection }> {
  const session = ProbeSession.open(`sim:${board}`);
  const conn = await connectCortexM(session.wireFor('test'));
  await conn.core.halt();
  return { session, conn };
}

/** Give every register a value of its own so that a lost restore shows. */
async function scramble(conn: Connection): Promise<void> {
  const { core } = conn;
  for (let i = 0; i <= 12; i++) await core.writeRegister(`r${i}`, (0x11111111 * (i + 1) + 0x5a) >>> 0);
  await core.writeRegister('lr', 0xfffffff9);
  await core.writeRegister('pc', 0x00000124);
  await core.writeRegister('xpsr', 0xf9000000); // flags set, Thumb
  await core.writeRegister('msp', 0x20001230);
  await core.writeRegister('psp', 0x20002340);
  await core.writeRegister('basepri', 0x40);
  await core.writeRegister('primask', 1);
}

async function snapshot(conn: Connection, area: WorkArea, fpu: boolean) {
  const regs = Object.fromEntries(await conn.core.readRegisters([...BASE_REGISTER_NAMES, ...(fpu ? [...FP, 'fpscr'] : [])]));
  const ram = createHash('sha256').update(await conn.mem.readBlock(area.start, area.length)).digest('hex');
  const [dhcsr, demcr, dfsr] = await conn.mem.readMany32([DHCSR, DEMCR, DFSR]);
  // S_RETIRE_ST and S_RESET_ST are read-to-clear, not state of the core.
  return { regs, ram, dhcsr: dhcsr & ~(3 << 24), demcr, dfsr };
}

for (const b of BOARDS) {
  test(`CRC-32 routine on sim:${b.name} equals the host CRC; registers and work area restored`, { timeout: 120_000 }, async () => {
    const { session, conn } = await open(b.name);
    try {
      const fpu = (await conn.mem.read32(0xe000ef40)) !== 0;
      await scramble(conn);
      // Fill the work area with a pattern of its own: it must come back byte for byte.
      await conn.mem.writeBlock(b.area.start, randomBytes(b.area.length));
      const before = await snapshot(conn, b.area, fpu);
      let runs = 0;
      for (const [base, room] of [...b.writable, ...b.readOnly]) {
        for (const len of LENGTHS.map((l) => Math.min(l, room))) {
          if (b.writable.some(([w]) => w === base)) await conn.mem.writeBlock(base, randomBytes(len));
          const data = await conn.mem.readBlock(base, len);
          const got = await crc32OnTarget(conn, b.area, base, len);
          assert.equal(got.toString(16), gdbCrc32(data).toString(16), `CRC of 0x${base.toString(16)}+${len}`);
          runs++;
        }
      }
      // The CRC continues from a given value (gdb starts from 0xFFFFFFFF).
      const [w0] = b.writable[0]!;
      const data = await conn.mem.readBlock(w0, 4099);
      assert.equal(await crc32OnTarget(conn, b.area, w0, 4099, 0x12345678), crc32Update(0x12345678, data));
      assert.equal(runs, (b.writable.length + b.readOnly.length) * LENGTHS.length);
      assert.deepEqual(await snapshot(conn, b.area, fpu), before);
    } finally {
      await session.close();
    }
  });
}

test('a routine that never reaches its BKPT is halted after the timeout, and the core restored', { timeout: 30_000 }, async () => {
  const b = BOARDS[0]!;
  const { session, conn } = await open(b.name);
  try {
    await scramble(conn);
    const before = await snapshot(conn, b.area, false);
    const loop = { code: Uint8Array.of(0xfe, 0xe7) }; // b .
    await assert.rejects(runRoutine(conn, b.area, loop, [], { timeoutMs: 100 }), (e: unknown) => {
      assert.ok(e instanceof RoutineTimeout);
      assert.match(e.message, /did not finish within 100 ms; halted it at pc 0x203ff000/);
      return true;
    });
    assert.deepEqual(await snapshot(conn, b.area, false), before);
  } finally {
    await session.close();
  }
});

test('a routine that faults is caught by vector catch and reported; registers, RAM and fault status restored', { timeout: 30_000 }, async () => {
  const b = BOARDS[0]!;
  const { session, conn } = await open(b.name);
  try {
    // A fresh board has no program: it locked up at power-on with HardFault active, where
    // any further fault is a lockup. Give it a vector table (fault handlers `b .`) at 0
    // and reset it, so the routine runs in Thread mode as under real firmware.
    const table = new Uint8Array(0x104);
    const view = new DataView(table.buffer);
    view.setUint32(0, 0x20001000, true);
    for (let v = 1; v <= 6; v++) view.setUint32(4 * v, 0x101, true);
    table.set([0xfe, 0xe7], 0x100);
    await conn.mem.writeBlock(0, table);
    await conn.core.reset({ halt: true });
    await scramble(conn);
    const before = await snapshot(conn, b.area, false);
    const cfsr = await conn.mem.read32(0xe000ed28);
    await assert.rejects(crc32OnTarget(conn, b.area, b.unmapped, 16), (e: unknown) => {
      assert.ok(e instanceof RoutineFault, String(e));
      assert.match(e.message, /faulted \(CFSR 0x[0-9a-f]{8}, HFSR 0x[0-9a-f]{8}\)/);
      return true;
    });
    assert.deepEqual(await snapshot(conn, b.area, false), before);
    assert.equal(await conn.mem.read32(0xe000ed28), cfsr, 'CFSR bits of the fault cleared');
  } finally {
    await session.close();
  }
});

test('routines are refused on a running core and in a work area too small for them', { timeout: 30_000 }, async () => {
  const b = BOARDS[0]!;
  const { session, conn } = await open(b.name);
  try {
    await assert.rejects(crc32OnTarget(conn, { start: b.area.start, length: 256 }, 0, 4), /needs \d+ bytes; the work area 0x203ff000\+256 is too small/);
    await conn.core.resume();
    await assert.rejects(crc32OnTarget(conn, b.area, 0, 4), (e: unknown) => e instanceof RoutineError && /the core is running; halt it first/.test(e.message));
  } finally {
    await session.close();
  }
});

test('the CRC routine bytes are firmware/src/crc32-routine.S assembled', (t) => {
  try {
    execFileSync('arm-none-eabi-as', ['--version'], { timeout: 10_000, stdio: 'ignore' });
  } catch {
    t.skip('arm-none-eabi-as is not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'crc32-routine-'));
  try {
    execFileSync('arm-none-eabi-as', ['-mcpu=cortex-m3', '-mthumb', '-o', join(dir, 'crc.o'), join(ROOT, 'firmware/src/crc32-routine.S')], { timeout: 20_000 });
    execFileSync('arm-none-eabi-objcopy', ['-O', 'binary', join(dir, 'crc.o'), join(dir, 'crc.bin')], { timeout: 20_000 });
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'crc.bin'))), CRC32_ROUTINE_CODE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
