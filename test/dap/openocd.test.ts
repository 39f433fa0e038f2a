// Debian's unmodified OpenOCD 0.12 drives tsprobe's CMSIS-DAP device through the hidapi
// bridge (LD_PRELOAD) on a simulated MPS2 board: init, dap info, mdw/mww, halt, reg,
// step, resume, reset halt (SYSRESETREQ and nRST), dump_image, load_image, verify_image
// (which runs OpenOCD's checksum algorithm on the simulated CPU).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOOP_PC, LOOP_SP, MPS2_OPENOCD_CFG, openocdSkipReason, runOpenocd, startDapServer, type RunningDapServer } from './harness.js';

const skip = openocdSkipReason();

const TARGET_CFG = MPS2_OPENOCD_CFG + 'mps2.cpu configure -work-area-phys 0x20200000 -work-area-size 0x4000\n';
/** Run OpenOCD with `commands` after init; returns everything it printed. */
async function openocdRun(server: RunningDapServer, dir: string, commands: string[], extraCfg = ''): Promise<string> {
  const cfg = join(dir, 'mps2.cfg');
  writeFileSync(cfg, TARGET_CFG + extraCfg);
  return runOpenocd(server.port, dir, ['-f', cfg], commands);
}

/** The value of every `MARK <name> <text>` line OpenOCD echoed. */
function marks(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const x = /^MARK (\S+) (.*)$/.exec(line.trim());
    if (x) m.set(x[1], x[2]);
  }
  return m;
}

const hexOf = (text: string | undefined) => {
  const m = /0x([0-9a-f]+)\s*$/i.exec(text ?? '');
  assert.ok(m, `no hex value in '${text}'`);
  return parseInt(m[1], 16) >>> 0;
};

// OpenOCD sets TAR once per 4 KiB on Cortex-M3/M4 (their AHB-AP auto-increments across
// 4 KiB) and once per 1 KiB on the M7: load_image/verify_image checks the simulator agrees.
const runs = [
  { board: 'mps2-an385', core: 'Cortex-M3', packetSize: 64, wireLevel: 'register' },
  { board: 'mps2-an500', core: 'Cortex-M7', packetSize: 512, wireLevel: 'register' },
  // Every SWD packet OpenOCD causes, clocked bit by bit through the simulated SWJ pins.
  { board: 'mps2-an386', core: 'Cortex-M4', packetSize: 512, wireLevel: 'bit' },
  // `tsprobe dap`'s default. (2048 and 4096 fail load_image/verify_image: OpenOCD 0.12
  // then puts more than 255 transfers in one DAP_Transfer.)
  { board: 'mps2-an385', core: 'Cortex-M3', packetSize: 1024, wireLevel: 'register' },
] as const;

for (const { board, core, packetSize, wireLevel } of runs) {
  describe(`OpenOCD 0.12 through the hidapi bridge: ${board} (${core}), packet size ${packetSize}, ${wireLevel}-level wire`, { skip }, () => {
    let server: RunningDapServer;
    let dir: string;
    before(async () => {
      server = await startDapServer({ board, config: { packetSize }, wireLevel });
      dir = mkdtempSync(join(tmpdir(), 'tsprobe-openocd-'));
    });
    after(async () => {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('init and dap info: identifies the probe, the SW-DP, the core and its ROM table', async () => {
      const registerLevelBefore = server.session.simWire.stats.transfers;
      const out = await openocdRun(server, dir, ['dap info']);
      const registerLevel = server.session.simWire.stats.transfers - registerLevelBefore;
      if (wireLevel === 'bit') assert.equal(registerLevel, 0, 'all of it went through the bit-level wire');
      else assert.ok(registerLevel > 0);
      assert.match(out, /CMSIS-DAP: SWD supported/);
      assert.match(out, /CMSIS-DAP: FW Version = 2\.1\.0/);
      assert.match(out, /CMSIS-DAP: Serial# = TSPROBE0001/);
      assert.match(out, /SWD DPIDR 0x[0-9a-f]{8}/);
      assert.match(out, new RegExp(`${core} r\\dp\\d processor detected`));
      assert.match(out, /Type is MEM-AP AHB/);
      assert.match(out, /Valid ROM table present/);
      assert.match(out, /SCS \(System Control Space\)/);
      assert.match(out, /FPB \(Flash Patch and Breakpoint\)/);
      assert.ok(server.logs.some((l) => /host connected/.test(l)) && server.logs.some((l) => /disconnected/.test(l)), server.logs.join('\n'));
    });

    it('mww/mdw, halt, reg, step, resume, reset halt', async () => {
      const out = await openocdRun(server, dir, [
        'mww 0x20000000 0x12345678',
        'mww 0x20000004 0xcafef00d',
        'echo "MARK mdw [mdw 0x20000000 2]"',
        'poll',
        'halt',
        'echo "MARK pc0 [reg pc]"',
        'echo "MARK r0a [reg r0]"',
        'step',
        'echo "MARK pc1 [reg pc]"',
        'step',
        'echo "MARK pc2 [reg pc]"',
        'echo "MARK r0b [reg r0]"',
        'resume',
        'sleep 50',
        'halt',
        'echo "MARK r0c [reg r0]"',
        'reg r0 0x0',
        'reset halt',
        'echo "MARK pc3 [reg pc]"',
        'echo "MARK sp3 [reg sp]"',
      ]);
      const m = marks(out);
      assert.match(m.get('mdw') ?? '', /0x20000000: 12345678 cafef00d/);
      const loop = [LOOP_PC, LOOP_PC + 2];
      const pc0 = hexOf(m.get('pc0'));
      assert.ok(loop.includes(pc0), `halted outside the loop: ${m.get('pc0')}`);
      const pc1 = hexOf(m.get('pc1'));
      const pc2 = hexOf(m.get('pc2'));
      assert.equal(pc1, pc0 === LOOP_PC ? LOOP_PC + 2 : LOOP_PC, 'one step moves one instruction');
      assert.equal(pc2, pc0, 'two steps go round the two-instruction loop');
      assert.equal((hexOf(m.get('r0b')) - hexOf(m.get('r0a'))) >>> 0, 1, 'two steps run one adds');
      assert.ok(hexOf(m.get('r0c')) > hexOf(m.get('r0b')), 'the core ran while resumed');
      assert.equal(hexOf(m.get('pc3')), LOOP_PC, 'reset halt stops at the reset vector');
      assert.equal(hexOf(m.get('sp3')), LOOP_SP, 'reset loads SP from the vector table');
      assert.match(out, /halted due to single-step/);
    });

    it('reset halt through nRST (reset_config srst_only): DAP_SWJ_Pins drives the pin', async () => {
      const out = await openocdRun(
        server,
        dir,
        ['poll', 'halt', 'reg r0 0x55', 'reset halt', 'echo "MARK pc [reg pc]"', 'echo "MARK r0 [reg r0]"'],
        'reset_config srst_only srst_nogate connect_assert_srst\n',
      );
      const m = marks(out);
      assert.equal(hexOf(m.get('pc')), LOOP_PC);
      assert.notEqual(hexOf(m.get('r0')), 0x55, 'the reset reached the core');
    });

    it('dump_image, load_image to RAM and verify_image (checksum code runs on the simulated core)', async () => {
      const dump = join(dir, 'dump.bin');
      const image = join(dir, 'image.bin');
      const bytes = new Uint8Array(0x8000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >>> 8) * 13) & 0xff;
      writeFileSync(image, bytes);
      const out = await openocdRun(server, dir, [
        'poll',
        'halt',
        `dump_image ${dump} 0x0 0x200`,
        `load_image ${image} 0x20010000 bin`,
        `verify_image ${image} 0x20010000 bin`,
        `dump_image ${join(dir, 'back.bin')} 0x20010000 0x8000`,
      ]);
      const d = readFileSync(dump);
      assert.equal(d.length, 0x200);
      assert.equal(d.readUInt32LE(0), LOOP_SP, 'the vector table read back');
      assert.equal(d.readUInt32LE(LOOP_PC), 0xe7fd3001, 'the loop code read back');
      assert.match(out, /downloaded 32768 bytes/);
      assert.match(out, /verified 32768 bytes/);
      assert.doesNotMatch(out, /not enough working area/, 'verify_image ran its checksum on the target');
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'back.bin'))), bytes);
    });
  });
}

// A board with nothing loaded locks up at once (no vector table). OpenOCD halts a locked-up
// core to clear the lockup (ARMv7-M: S_LOCKUP clears when the core enters Debug state).

describe('OpenOCD 0.12 attaching to a locked-up core (empty mps2-an385)', { skip }, () => {
  let server: RunningDapServer;
  let dir: string;
  before(async () => {
    server = await startDapServer({ config: { packetSize: 512 }, loop: false });
    dir = mkdtempSync(join(tmpdir(), 'tsprobe-openocd-'));
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('poll, halt and reading registers work', async () => {
    const out = await openocdRun(server, dir, ['poll', 'halt', 'poll', 'echo "MARK pc [reg pc]"']);
    assert.match(marks(out).get('pc') ?? '', /pc \(\/32\): 0x[0-9a-f]{8}/);
  });
});
