// The CMSIS-DAP host wire over TCP against tsprobe's own CMSIS-DAP device on a simulated
// board (in this process): DAP_Info discovery, batching into packets of the device's
// size, block transfers with several packets in flight, faults, and results equal to
// those of the direct simulator wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDapServer, LOOP_PC } from '../../dap/harness.js';
import { CmsisDapWire, TcpDapTransport } from '../../../src/wire/cmsis-dap/index.js';
import { connectCortexM } from '../../../src/cortexm/connect.js';
import { BASE_REGISTER_NAMES } from '../../../src/cortexm/registers.js';
import { Cap } from '../../../src/dap/protocol.js';
import { seededBytes } from '../../support/patterns.js';


// negotiate: the packet size the host asks of tsprobe's device (0: it keeps the advertised
// one, as with any other probe); `uses`: the size the wire must end up using.
for (const flavour of [
  { packetSize: 512, packetCount: 4, negotiate: 0, uses: 512 },
  { packetSize: 512, packetCount: 4, negotiate: undefined, uses: 16384 },
  { packetSize: 512, packetCount: 4, negotiate: 4096, uses: 4096 },
  { packetSize: 64, packetCount: 1, negotiate: undefined, uses: 64 }, // v1: the device refuses
]) {
  test(`CMSIS-DAP wire over TCP, packet size ${flavour.packetSize} x${flavour.packetCount}, asking for ${flavour.negotiate ?? 'the default'}: same results as the direct wire`, async () => {
    const srv = await startDapServer({ config: { packetSize: flavour.packetSize, packetCount: flavour.packetCount, flavour: flavour.packetSize <= 64 ? 'v1' : 'v2', serialNumber: 'TCPTEST1' } });
    try {
      const wire = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', srv.port), { negotiatePacketSize: flavour.negotiate });
      assert.equal(wire.info.packetSize, flavour.packetSize);
      assert.equal(wire.packetSize, flavour.uses);
      assert.equal(wire.negotiated, flavour.uses !== flavour.packetSize);
      // DAP_Info asked again on the connection says the granted size too.
      assert.equal(Buffer.from(await wire.infoItem(0xff)).readUInt16LE(2), flavour.uses);
      assert.equal(wire.info.packetCount, flavour.packetCount);
      assert.equal(wire.info.serial, 'TCPTEST1');
      assert.ok(wire.info.capabilities & Cap.SWD);
      assert.match(wire.info.protocolVersion, /^2\./);
      assert.equal(wire.description, `cmsis-dap:tcp://127.0.0.1:${srv.port}`);

      const conn = await connectCortexM(wire);
      await conn.core.halt();
      const data = seededBytes(16 * 1024 + 12, flavour.packetSize);
      const before = wire.stats.packets;
      await conn.mem.writeBlock(0x20000000, data);
      const back = await conn.mem.readBlock(0x20000000, data.length);
      assert.deepEqual(back, data);
      // 16 KiB each way cannot fit in fewer packets than this.
      const minPackets = Math.ceil((2 * data.length) / (flavour.uses - 5));
      const used = wire.stats.packets - before;
      assert.ok(used >= minPackets && used < minPackets * 1.3 + 20, `packets used ${used}, at least ${minPackets}`);
      await conn.core.step();
      const regs = await conn.core.readRegisters(BASE_REGISTER_NAMES);
      const pcViaProbe = regs.get('pc');
      // A faulting read reports the fault and leaves the wire usable.
      await assert.rejects(conn.mem.read32(0xf0000000), /fault|error/i);
      assert.equal(await conn.mem.read32(0x20000000), (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0);
      // A faulting write is reported by the write itself (the probe checks its last write).
      await assert.rejects(conn.mem.write32(0xf0000000, 1), /^MemoryAccessError: write at 0xf0000000 failed: bus fault/);
      await assert.rejects(conn.mem.writeBlock(0xf0000000, new Uint8Array(8)), /^MemoryAccessError: write at 0xf0000000 failed: bus fault/);
      assert.equal(await conn.mem.read32(0x20000000), (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0);
      await wire.close();

      // The same state through the simulator's own wire.
      await new Promise((r) => setTimeout(r, 50)); // the server notices the host has gone
      const direct = await connectCortexM(srv.session.wireFor('direct'));
      assert.deepEqual(await direct.mem.readBlock(0x20000000, data.length), data);
      const regsDirect = await direct.core.readRegisters(BASE_REGISTER_NAMES);
      assert.deepEqual([...regsDirect], [...regs]);
      assert.ok(pcViaProbe === LOOP_PC || pcViaProbe === LOOP_PC + 2, `pc ${pcViaProbe?.toString(16)}`);
    } finally {
      await srv.close();
    }
  });
}

test('CMSIS-DAP wire: SWJ and SWD sequences, nRESET, clock, long transfer batches', async () => {
  const srv = await startDapServer({ config: { packetSize: 64, flavour: 'v1' } });
  try {
    const wire = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', srv.port), { clockHz: 1_000_000 });
    // Line reset (300 bits: two SWJ_Sequence packets) then the DPIDR read.
    await wire.swjSequence(300, new Uint8Array(38).fill(0xff));
    await wire.swjSequence(8, Uint8Array.of(0));
    const id = await wire.transfer([{ ap: false, read: true, addr: 0 }]);
    assert.equal(id.ack, 'ok');
    const direct = await srv.session.simWire.transfer([{ ap: false, read: true, addr: 0 }]);
    assert.equal(id.reads[0], direct.reads[0]);
    // 100 DPIDR reads: 400 bytes of answers, several 64-byte packets, one batch result.
    const many = await wire.transfer(Array.from({ length: 100 }, () => ({ ap: false, read: true, addr: 0 })));
    assert.equal(many.completed, 100);
    assert.equal(many.reads.length, 100);
    assert.ok(many.reads.every((v) => v === id.reads[0]));
    await wire.setClock(2_000_000);
    await wire.setReset(true);
    await wire.setReset(false);
    // SWD_Sequence: a line reset driven, then 8 idle bits, 33 bits captured from a quiet line.
    const caps = await wire.swdSequence([{ out: new Uint8Array(7).fill(0xff), bits: 51 }, { out: Uint8Array.of(0), bits: 8 }, { capture: true, bits: 70 }]);
    assert.equal(caps.length, 1);
    assert.equal(caps[0].length, 9);
    await wire.close();
  } finally {
    await srv.close();
  }
});
