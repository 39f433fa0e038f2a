// dapjs (npm, Arm's TypeScript CMSIS-DAP host) as a third independent host: its CmsisDAP,
// ADI and CortexM layers over a TCP transport of ours connect, read and write memory,
// halt, read registers and resume the simulated core.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dapjs from 'dapjs';
import { DapjsTcpTransport } from './dapjs-tcp-transport.js';
import { LOOP_PC, LOOP_SP, startDapServer, type RunningDapServer } from './harness.js';

const { CortexM } = dapjs;
// dapjs's CoreRegister numbering (DCRSR REGSEL): r0..r12, sp 13, lr 14, pc 15, xpsr 16.
const R0 = 0;
const SP = 13;
const PC = 15;
const XPSR = 16;

for (const packetSize of [64, 512]) {
  describe(`dapjs 2.3.0 over TCP (packet size ${packetSize})`, () => {
    let server: RunningDapServer;
    let core: InstanceType<typeof CortexM>;
    before(async () => {
      server = await startDapServer({ board: 'mps2-an385', config: { packetSize } });
      core = new CortexM(new DapjsTcpTransport(server.port, packetSize));
      await core.connect();
    });
    after(async () => {
      await core?.disconnect().catch(() => {});
      await server?.close();
    });

    it('reads the CPUID and writes/reads words and blocks (DAP_Transfer, DAP_TransferBlock)', async () => {
      const cpuid = await core.readMem32(0xe000ed00);
      assert.equal(cpuid >>> 0, 0x410fc231, 'Cortex-M3 r0p1');
      await core.writeMem32(0x20000200, 0xdeadbeef);
      assert.equal((await core.readMem32(0x20000200)) >>> 0, 0xdeadbeef);
      // dapjs sets TAR once per block: keep it inside one 1 KiB auto-increment block,
      // the size every MEM-AP guarantees.
      const words = new Uint32Array(256).map((_, i) => (i * 0x01010101 + 0x10203) >>> 0);
      await core.writeBlock(0x20003000, words);
      const back = await core.readBlock(0x20003000, words.length);
      assert.deepEqual(Array.from(back), Array.from(words));
    });

    it('halts, reads registers, writes one, resumes', async () => {
      await core.halt(true, 2000);
      assert.equal(await core.isHalted(), true);
      const [r0, sp, pc, xpsr] = await core.readCoreRegisters([R0, SP, PC, XPSR]);
      assert.equal(sp >>> 0, LOOP_SP);
      assert.ok([LOOP_PC, LOOP_PC + 2].includes(pc >>> 0), `pc 0x${(pc >>> 0).toString(16)} in the loop`);
      assert.equal((xpsr >>> 0) & 0x01000000, 0x01000000, 'Thumb bit');
      await core.writeCoreRegister(R0, 7);
      assert.equal(await core.readCoreRegister(R0), 7);
      assert.ok(r0 !== undefined);
      await core.resume(true, 2000);
      assert.equal(await core.isHalted(), false);
      await core.halt(true, 2000);
      assert.ok((await core.readCoreRegister(R0)) > 7, 'the core ran after resume');
      await core.resume(false);
    });
  });
}
