// Debian's unmodified pyOCD 0.13 drives tsprobe's CMSIS-DAP device through the hidapi
// bridge (PYOCD_USB_BACKEND=hidapiusb, python3-hid, LD_PRELOAD): it lists the probe,
// connects (target type cortex_m), reads and writes memory, halts, reads and writes
// registers, steps and resumes. The pyOCD side is test/dap/pyocd_host.py.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeEnv, ensureBridge, LOOP_PC, LOOP_SP, ROOT, runProcess, startDapServer, type RunningDapServer } from './harness.js';

const PYTHON = '/usr/bin/python3';
const PYOCD_TOOL = '/usr/bin/pyocd-tool';

function pyocdProblem(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  if (!existsSync(PYOCD_TOOL)) return 'pyOCD is not installed (Debian package python3-pyocd)';
  return ensureBridge();
}
const problem = pyocdProblem();

const pyocdEnv = (port: number) => bridgeEnv(port, { PYOCD_USB_BACKEND: 'hidapiusb', PYTHONDONTWRITEBYTECODE: '1' });

for (const { board, packetSize, wireLevel } of [
  { board: 'mps2-an386', packetSize: 64, wireLevel: 'register' },
  { board: 'mps2-an500', packetSize: 512, wireLevel: 'register' },
  { board: 'mps2-an385', packetSize: 512, wireLevel: 'bit' },
] as const) {
  describe(`pyOCD 0.13 through the hidapi bridge: ${board}, packet size ${packetSize}, ${wireLevel}-level wire`, { skip: problem ?? false }, () => {
    let server: RunningDapServer;
    before(async () => {
      server = await startDapServer({ board, config: { packetSize }, wireLevel });
    });
    after(async () => {
      await server?.close();
    });

    it('pyocd-tool list shows the probe', async () => {
      const r = await runProcess(PYTHON, [PYOCD_TOOL, 'list'], pyocdEnv(server.port), 60_000);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /tsprobe CMSIS-DAP \| TSPROBE0001/);
    });

    it('connects, reads and writes memory, halts, reads/writes registers, steps, resumes', async () => {
      const r = await runProcess(PYTHON, [join(ROOT, 'test/dap/pyocd_host.py')], pyocdEnv(server.port), 60_000);
      const line = r.stdout.trim().split('\n').pop() ?? '';
      let seen: Record<string, any>;
      try {
        seen = JSON.parse(line);
      } catch {
        assert.fail(`pyOCD printed no result (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      }
      assert.equal(seen.error, undefined, `pyOCD failed: ${seen.error}\n${r.stderr}`);
      assert.equal(r.code, 0);
      assert.equal(seen.probes.length, 1);
      assert.equal(seen.probes[0].id, 'TSPROBE0001');
      assert.match(seen.probes[0].product, /CMSIS-DAP/);
      assert.equal(seen.packet_size, packetSize, 'pyOCD took the packet size from DAP_Info');
      assert.equal(seen.cpuid >>> 24, 0x41, 'CPUID implementer is Arm');
      assert.equal(seen.word, 0xa5a55a5a);
      assert.equal(seen.block_ok, true, '4 KiB block written and read back');
      assert.equal(seen.halted, true);
      assert.ok([LOOP_PC, LOOP_PC + 2].includes(seen.regs.pc), `pc ${seen.regs.pc} is in the loop`);
      assert.equal(seen.regs.sp, LOOP_SP);
      assert.equal(seen.regs.xpsr & 0x01000000, 0x01000000, 'Thumb bit set');
      assert.equal(seen.pc_after_step, seen.regs.pc === LOOP_PC ? LOOP_PC + 2 : LOOP_PC);
      assert.equal(seen.r0_written, 0x1234);
      assert.equal(seen.running, true);
      assert.ok(seen.r0_after_run > 0x1234, 'the core counted while running');
    });
  });
}
