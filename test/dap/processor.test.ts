// The CMSIS-DAP command processor, command by command: against a recording fake wire
// where the exact wire calls matter, and against a simulated board's SW-DP where the
// target's answers matter.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { DapProcessor } from '../../src/dap/processor.js';
import { Cap, Cmd, DAP_ERROR, DAP_OK, InfoId, Resp } from '../../src/dap/protocol.js';
import { ProbeSession } from '../../src/probe/session.js';
import { FakeWire } from './fake-wire.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function one(p: DapProcessor, bytes: number[]): Promise<Uint8Array> {
  const out = await p.handlePacket(Uint8Array.from(bytes));
  assert.equal(out.length, 1, `one response to 0x${bytes[0]?.toString(16)}`);
  return out[0];
}

function fake(config = {}) {
  const wire = new FakeWire();
  return { wire, p: new DapProcessor(wire, config) };
}

/** A processor on a simulated board, connected over SWD (JTAG-to-SWD, line reset, DPIDR, power-up). */
const sessions: ProbeSession[] = [];
after(async () => {
  for (const s of sessions) await s.close();
});
async function simulated(config = {}) {
  const session = ProbeSession.open('sim:mps2-an385');
  sessions.push(session);
  const p = new DapProcessor(session.wireFor('test'), config);
  const ok = async (bytes: number[]) => one(p, bytes);
  assert.deepEqual([...(await ok([Cmd.Connect, 1])).subarray(0, 2)], [Cmd.Connect, 1]);
  const ones7 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  for (const seq of [[56, ...ones7], [16, 0x9e, 0xe7], [56, ...ones7], [8, 0]]) {
    assert.deepEqual([...(await ok([Cmd.SwjSequence, ...seq])).subarray(0, 2)], [Cmd.SwjSequence, DAP_OK]);
  }
  // DPIDR; ABORT clears sticky; CTRL/STAT power-up request; read CTRL/STAT.
  const r = await ok([Cmd.Transfer, 0, 4, 0x02, 0x00, ...le32(0x1e), 0x04, ...le32(0x50000000), 0x06]);
  assert.equal(r[1], 4);
  assert.equal(r[2], Resp.OK);
  return { session, p, dpidr: u32(r, 3) };
}

describe('DAP_Info', () => {
  it('answers every ID from the configuration', async () => {
    const { p } = fake({ serialNumber: 'SN42', boardName: 'mps2-an385', deviceName: 'CM3', boardVendor: 'Arm', deviceVendor: 'ARM' });
    const info = async (id: number) => {
      const r = await one(p, [Cmd.Info, id]);
      assert.equal(r[0], Cmd.Info);
      assert.equal(r.length, 2 + r[1]);
      return r.subarray(2);
    };
    const str = async (id: number) => {
      const b = await info(id);
      assert.equal(b[b.length - 1], 0, 'NUL-terminated');
      return text(b.subarray(0, -1));
    };
    assert.equal(await str(InfoId.Vendor), 'tsprobe');
    assert.match(await str(InfoId.Product), /CMSIS-DAP/);
    assert.equal(await str(InfoId.SerialNumber), 'SN42');
    assert.equal(await str(InfoId.ProtocolVersion), '2.1.0');
    assert.equal(await str(InfoId.DeviceVendor), 'ARM');
    assert.equal(await str(InfoId.DeviceName), 'CM3');
    assert.equal(await str(InfoId.BoardVendor), 'Arm');
    assert.equal(await str(InfoId.BoardName), 'mps2-an385');
    assert.match(await str(InfoId.FirmwareVersion), /^\d+\.\d+\.\d+$/);
    const caps = (await info(InfoId.Capabilities))[0];
    assert.equal(caps & Cap.SWD, Cap.SWD);
    assert.equal(caps & Cap.JTAG, 0, 'no JTAG');
    assert.equal(caps & (Cap.SWO_UART | Cap.SWO_MANCHESTER | Cap.SWO_STREAM), 0, 'no SWO');
    assert.equal(caps & Cap.UART_DAP, 0, 'no UART');
    assert.equal(caps & Cap.ATOMIC, Cap.ATOMIC);
    assert.equal(caps & Cap.TIMESTAMP, Cap.TIMESTAMP);
    assert.equal(u32(await info(InfoId.TimestampClock), 0), 1_000_000);
    assert.equal((await info(InfoId.SwoBufferSize)).length, 0);
    assert.equal((await info(InfoId.UartRxBufferSize)).length, 0);
    assert.equal((await info(InfoId.UartTxBufferSize)).length, 0);
    assert.deepEqual([...(await info(InfoId.PacketCount))], [4]);
    assert.deepEqual([...(await info(InfoId.PacketSize))], [0x00, 0x02]);
    assert.equal((await info(0x42)).length, 0, 'unknown ID: empty');
  });

  it('v1 flavour: 64-byte packets, one in flight, responses padded to 64 bytes', async () => {
    const { p } = fake({ packetSize: 64 });
    const r = await one(p, [Cmd.Info, InfoId.PacketSize]);
    assert.equal(r.length, 64);
    assert.deepEqual([...r.subarray(0, 4)], [Cmd.Info, 2, 64, 0]);
    assert.deepEqual([...(await one(p, [Cmd.Info, InfoId.PacketCount])).subarray(0, 3)], [Cmd.Info, 1, 1]);
  });
});

describe('general commands', () => {
  it('HostStatus: LEDs on and off; bad type is an error', async () => {
    const { p } = fake();
    assert.deepEqual([...(await one(p, [Cmd.HostStatus, 0, 1]))], [Cmd.HostStatus, DAP_OK]);
    assert.equal(p.state.ledConnect, true);
    assert.deepEqual([...(await one(p, [Cmd.HostStatus, 1, 1]))], [Cmd.HostStatus, DAP_OK]);
    assert.equal(p.state.ledRunning, true);
    assert.deepEqual([...(await one(p, [Cmd.HostStatus, 7, 1]))], [Cmd.HostStatus, DAP_ERROR]);
  });

  it('Connect: default and SWD give SWD; JTAG fails with port 0; Disconnect', async () => {
    const { p } = fake();
    assert.deepEqual([...(await one(p, [Cmd.Connect, 2]))], [Cmd.Connect, 0]);
    assert.equal(p.state.port, 0);
    assert.deepEqual([...(await one(p, [Cmd.Connect, 0]))], [Cmd.Connect, 1]);
    assert.deepEqual([...(await one(p, [Cmd.Connect, 1]))], [Cmd.Connect, 1]);
    assert.deepEqual([...(await one(p, [Cmd.Connect, 2]))], [Cmd.Connect, 0]);
    assert.equal(p.state.port, 0, 'a failed connect disables the port');
    assert.deepEqual([...(await one(p, [Cmd.Connect, 1]))], [Cmd.Connect, 1]);
    assert.deepEqual([...(await one(p, [Cmd.Disconnect]))], [Cmd.Disconnect, DAP_OK]);
    assert.equal(p.state.port, 0);
  });

  it('transfers while disconnected do nothing', async () => {
    const { p, wire } = fake();
    assert.deepEqual([...(await one(p, [Cmd.Transfer, 0, 1, 0x02]))], [Cmd.Transfer, 0, 0]);
    assert.deepEqual([...(await one(p, [Cmd.TransferBlock, 0, 1, 0, 0x02]))], [Cmd.TransferBlock, 0, 0, 0]);
    assert.equal(wire.count('transfer') + wire.count('block'), 0);
  });

  it('Delay waits', async () => {
    const { p } = fake();
    const t0 = performance.now();
    assert.deepEqual([...(await one(p, [Cmd.Delay, ...le32(3000).slice(0, 2)]))], [Cmd.Delay, DAP_OK]);
    assert.ok(performance.now() - t0 >= 2.5, 'waited about 3 ms');
  });

  it('ResetTarget pulses nRST and says a reset sequence exists', async () => {
    const { p, wire } = fake();
    assert.deepEqual([...(await one(p, [Cmd.ResetTarget]))], [Cmd.ResetTarget, DAP_OK, 1]);
    assert.deepEqual(wire.calls.filter((c) => c.kind === 'reset'), [
      { kind: 'reset', asserted: true },
      { kind: 'reset', asserted: false },
    ]);
  });

  it('vendor commands: 0x80 identifies, 0x81 names the wire, others are invalid', async () => {
    const { p } = fake();
    const r = await one(p, [0x80]);
    assert.equal(r[0], 0x80);
    assert.match(text(r.subarray(2, 2 + r[1])), /^tsprobe .*CMSIS-DAP/);
    const w = await one(p, [0x81]);
    assert.equal(text(w.subarray(2, 2 + w[1])), 'fake');
    assert.deepEqual([...(await one(p, [0x9f]))], [Cmd.Invalid]);
    assert.deepEqual([...(await one(p, [0x42]))], [Cmd.Invalid], 'unknown command');
  });

  it('vendor command 0x82 sets this connection\'s packet size (v2 only); DAP_Info and the limits follow it', async () => {
    const { p } = fake({ packetSize: 512 });
    const size = async () => { const r = await one(p, [Cmd.Info, InfoId.PacketSize]); return r[2] | (r[3] << 8); };
    assert.equal(await size(), 512);
    // A DAP_TransferBlock of 200 reads does not fit 512 bytes: refused before the grant, accepted after.
    assert.deepEqual([...(await one(p, [Cmd.TransferBlock, 0, 200, 0, 0x0f]))], [Cmd.TransferBlock, 0, 0, Resp.ERROR]);
    assert.deepEqual([...(await one(p, [0x82, 0x00, 0x40]))], [0x82, DAP_OK, 0x00, 0x40]);
    assert.equal(await size(), 0x4000);
    assert.equal((await one(p, [Cmd.TransferBlock, 0, 200, 0, 0x0f]))[3], 0, 'parsed and run (not connected: nothing done)');
    assert.deepEqual([...(await one(p, [0x82, 0x10, 0x00]))], [0x82, DAP_ERROR, 0x00, 0x40], 'below 64 bytes: refused, size kept');
    assert.deepEqual([...(await one(p, [0x82, 0x40]))], [0x82, DAP_ERROR], 'truncated: an error reply');
    assert.equal(await size(), 0x4000);
    const v1 = fake({ packetSize: 64, flavour: 'v1' }).p;
    const r = await one(v1, [0x82, 0x00, 0x40]);
    assert.deepEqual([...r.subarray(0, 4)], [0x82, DAP_ERROR, 64, 0], 'HID reports keep 64 bytes');
  });
});

describe('pins, clock, sequences', () => {
  it('SWJ_Pins drives nRESET through the wire and reads pins back', async () => {
    const { p, wire } = fake();
    const idle = await one(p, [Cmd.SwjPins, 0, 0, 0, 0, 0, 0]);
    assert.equal(idle[1] & 0x80, 0x80, 'nRESET released at start');
    const low = await one(p, [Cmd.SwjPins, 0x00, 0x80, 0, 0, 0, 0]);
    assert.equal(low[1] & 0x80, 0, 'nRESET reads low');
    assert.deepEqual(wire.calls.at(-1), { kind: 'reset', asserted: true });
    const high = await one(p, [Cmd.SwjPins, 0x80, 0x80, ...le32(1000)]);
    assert.equal(high[1] & 0x80, 0x80);
    assert.deepEqual(wire.calls.at(-1), { kind: 'reset', asserted: false });
    await one(p, [Cmd.SwjPins, 0x80, 0x80, 0, 0, 0, 0]);
    assert.equal(wire.count('reset'), 2, 'no wire call when the level does not change');
  });

  it('SWJ_Clock: sets the wire clock; 0 Hz is an error', async () => {
    const { p, wire } = fake();
    assert.deepEqual([...(await one(p, [Cmd.SwjClock, ...le32(4_000_000)]))], [Cmd.SwjClock, DAP_OK]);
    assert.deepEqual(wire.calls.at(-1), { kind: 'clock', hz: 4_000_000 });
    assert.deepEqual([...(await one(p, [Cmd.SwjClock, 0, 0, 0, 0]))], [Cmd.SwjClock, DAP_ERROR]);
  });

  it('SWJ_Sequence: a count of 0 means 256 bits', async () => {
    const { p, wire } = fake();
    assert.deepEqual([...(await one(p, [Cmd.SwjSequence, 0, ...new Array(32).fill(0xff)]))], [Cmd.SwjSequence, DAP_OK]);
    assert.deepEqual(wire.calls.at(-1), { kind: 'swj', bits: 256, data: new Array(32).fill(0xff) });
    assert.deepEqual([...(await one(p, [Cmd.SwjSequence, 9, 0xff, 0x01]))], [Cmd.SwjSequence, DAP_OK]);
    assert.deepEqual(wire.calls.at(-1), { kind: 'swj', bits: 9, data: [0xff, 0x01] });
  });

  it('SWD_Configure sets turnaround and data phase', async () => {
    const { p } = fake();
    assert.deepEqual([...(await one(p, [Cmd.SwdConfigure, 0x06]))], [Cmd.SwdConfigure, DAP_OK]);
    assert.equal(p.state.swdTurnaround, 3);
    assert.equal(p.state.swdDataPhase, true);
  });

  it('SWD_Sequence reads DPIDR bit by bit from the simulated SW-DP', async () => {
    const { p, dpidr } = await simulated();
    // Header: start 1, APnDP 0, RnW 1, A 00, parity 1, stop 0, park 1 = 0xA5 (LSB first).
    // Then capture turnaround (1) + ACK (3) + data (32) + parity (1); then drive 8 idle cycles.
    const r = await one(p, [Cmd.SwdSequence, 3, 8, 0xa5, 0x80 | 37, 8, 0x00]);
    assert.equal(r[0], Cmd.SwdSequence);
    assert.equal(r[1], DAP_OK);
    assert.equal(r.length, 2 + 5);
    let bits = 0n;
    for (let i = 4; i >= 0; i--) bits = (bits << 8n) | BigInt(r[2 + i]);
    const ack = Number((bits >> 1n) & 7n);
    const data = Number((bits >> 4n) & 0xffffffffn) >>> 0;
    assert.equal(ack, 1, 'ACK OK');
    assert.equal(data, dpidr);
  });

  it('SWD_Sequence needs an SWD connection', async () => {
    const { p } = fake();
    assert.deepEqual([...(await one(p, [Cmd.SwdSequence, 1, 8, 0xff]))], [Cmd.SwdSequence, DAP_ERROR]);
  });
});

describe('transfers on the simulated SW-DP', () => {
  it('DPIDR, power-up, AP reads (posted reads hidden), memory write and read', async () => {
    const { p, dpidr } = await simulated();
    assert.equal(dpidr >>> 12 & 0xf, 2, 'SW-DP v2 (Cortex-M3 of the MPS2 model)');
    // SELECT AP0 bank 0xF, read IDR (0xFC: A3|A2 in bank 0xF) twice, then back to bank 0.
    const idr = await one(p, [Cmd.Transfer, 0, 4, 0x08, ...le32(0xf0), 0x0f, 0x0f, 0x08, ...le32(0)]);
    assert.deepEqual([...idr.subarray(0, 3)], [Cmd.Transfer, 4, Resp.OK]);
    assert.equal(u32(idr, 3), 0x24770011, 'AHB-AP IDR');
    assert.equal(u32(idr, 7), 0x24770011);
    // CSW word, TAR, DRW write, TAR, DRW read.
    const rw = await one(p, [Cmd.Transfer, 0, 5, 0x01, ...le32(0x23000002), 0x05, ...le32(0x20000040), 0x0d, ...le32(0xfeedface), 0x05, ...le32(0x20000040), 0x0f]);
    assert.deepEqual([...rw.subarray(0, 3)], [Cmd.Transfer, 5, Resp.OK]);
    assert.equal(u32(rw, 3), 0xfeedface);
  });

  it('TransferBlock writes and reads 100 words', async () => {
    const { p } = await simulated();
    await one(p, [Cmd.Transfer, 0, 3, 0x08, ...le32(0), 0x01, ...le32(0x23000012), 0x05, ...le32(0x20001000)]);
    const words = Array.from({ length: 100 }, (_, i) => (0x11111111 * (i % 15) + i) >>> 0);
    const w = await one(p, [Cmd.TransferBlock, 0, 100, 0, 0x0d, ...words.flatMap(le32)]);
    assert.deepEqual([...w], [Cmd.TransferBlock, 100, 0, Resp.OK]);
    await one(p, [Cmd.Transfer, 0, 1, 0x05, ...le32(0x20001000)]);
    const r = await one(p, [Cmd.TransferBlock, 0, 100, 0, 0x0f]);
    assert.deepEqual([...r.subarray(0, 4)], [Cmd.TransferBlock, 100, 0, Resp.OK]);
    assert.deepEqual(Array.from({ length: 100 }, (_, i) => u32(r, 4 + 4 * i)), words);
  });

  it('a bus fault ends the transfer with FAULT; WriteABORT clears the sticky error', async () => {
    const { p } = await simulated();
    // A word read from unmapped space: the AP read faults (STICKYERR), later transfers see FAULT.
    const bad = await one(p, [Cmd.Transfer, 0, 3, 0x08, ...le32(0), 0x05, ...le32(0x70000000), 0x0f]);
    const cs = await one(p, [Cmd.Transfer, 0, 1, 0x06]);
    assert.equal(u32(cs, 3) & 0x20, 0x20, `STICKYERR set (first response ${[...bad.subarray(0, 3)]})`);
    const faulted = await one(p, [Cmd.Transfer, 0, 2, 0x05, ...le32(0x20000000), 0x0f]);
    assert.deepEqual([...faulted.subarray(0, 3)], [Cmd.Transfer, 0, Resp.FAULT], 'stops at the first transfer, count 0');
    assert.deepEqual([...(await one(p, [Cmd.WriteAbort, 0, ...le32(0x1e)]))], [Cmd.WriteAbort, DAP_OK]);
    const after = await one(p, [Cmd.Transfer, 0, 1, 0x06]);
    assert.equal(u32(after, 3) & 0x20, 0, 'STICKYERR cleared');
  });

  it('a write that faults on the bus is reported in its own response (final RDBUFF check)', async () => {
    const { p } = await simulated();
    // SELECT, CSW word, TAR unmapped, DRW write: all four acknowledged OK, the write then faults.
    const r = await one(p, [Cmd.Transfer, 0, 4, 0x08, ...le32(0), 0x01, ...le32(0x23000012), 0x05, ...le32(0x70000000), 0x0d, ...le32(1)]);
    assert.deepEqual([...r], [Cmd.Transfer, 4, Resp.FAULT]);
    assert.deepEqual([...(await one(p, [Cmd.WriteAbort, 0, ...le32(0x1e)]))], [Cmd.WriteAbort, DAP_OK]);
    // One word: acknowledged OK, the fault shows in the check after it.
    const b = await one(p, [Cmd.TransferBlock, 0, 1, 0, 0x0d, ...le32(1)]);
    assert.deepEqual([...b], [Cmd.TransferBlock, 1, 0, Resp.FAULT], 'TransferBlock too');
    await one(p, [Cmd.WriteAbort, 0, ...le32(0x1e)]);
    const ok = await one(p, [Cmd.Transfer, 0, 2, 0x05, ...le32(0x20000000), 0x0d, ...le32(1)]);
    assert.deepEqual([...ok], [Cmd.Transfer, 2, Resp.OK]);
  });

  it('MATCH_VALUE on CTRL/STAT: matches at once, or reports MISMATCH after the match retries', async () => {
    const { p } = await simulated();
    // CSYSPWRUPACK|CDBGPWRUPACK under mask.
    const ok = await one(p, [Cmd.Transfer, 0, 2, 0x20, ...le32(0xa0000000), 0x16, ...le32(0xa0000000)]);
    assert.deepEqual([...ok], [Cmd.Transfer, 2, Resp.OK], 'a match read returns no data');
    const bad = await one(p, [Cmd.Transfer, 0, 2, 0x20, ...le32(0xa0000000), 0x16, ...le32(0x00000000)]);
    assert.deepEqual([...bad], [Cmd.Transfer, 1, Resp.OK | Resp.MISMATCH]);
  });
});

describe('transfers on the fake wire', () => {
  const connected = async (config = {}) => {
    const f = fake(config);
    await one(f.p, [Cmd.Connect, 1]);
    return f;
  };

  it('TransferConfigure passes WAIT retries to the wire; match retries are counted by the device', async () => {
    const { p, wire } = await connected();
    assert.deepEqual([...(await one(p, [Cmd.TransferConfigure, 2, 0x40, 0x00, 5, 0]))], [Cmd.TransferConfigure, DAP_OK]);
    assert.deepEqual(wire.calls.at(-1), { kind: 'configure', opts: { waitRetries: 64, idleCycles: 2 } });
    wire.readValue = () => 0x1234;
    const before = wire.count('transfer');
    const r = await one(p, [Cmd.Transfer, 0, 1, 0x12, ...le32(0x4321)]);
    assert.deepEqual([...r], [Cmd.Transfer, 0, Resp.OK | Resp.MISMATCH]);
    assert.equal(wire.count('transfer') - before, 6, 'one read + 5 match retries');
  });

  it('TIMESTAMP puts the test-domain timer before the data; it counts up', async () => {
    const { p } = await connected();
    const r = await one(p, [Cmd.Transfer, 0, 3, 0x82, 0x80, ...le32(5), 0x82]);
    assert.deepEqual([...r.subarray(0, 3)], [Cmd.Transfer, 3, Resp.OK]);
    assert.equal(r.length, 3 + 8 + 4 + 8);
    const t1 = u32(r, 3);
    const t2 = u32(r, 11);
    const t3 = u32(r, 15);
    assert.ok(t2 >= t1 && t3 >= t2, `timestamps ${t1} ${t2} ${t3} ascend`);
  });

  it('WAIT, FAULT and no-ack end a batch with their response codes and the count done', async () => {
    for (const [ack, code] of [['wait', Resp.WAIT], ['fault', Resp.FAULT], ['no-ack', Resp.NO_ACK], ['parity-error', Resp.ERROR]] as const) {
      const { p, wire } = await connected();
      wire.ackFor = (_t, n) => (n === 2 ? ack : 'ok');
      wire.readValue = (_t, n) => 0x100 + n;
      const r = await one(p, [Cmd.Transfer, 0, 4, 0x02, 0x02, 0x02, 0x02]);
      assert.deepEqual([...r], [Cmd.Transfer, 2, code, ...le32(0x100), ...le32(0x101)], ack);
    }
  });

  it('TransferBlock stops at a failing transfer', async () => {
    const { p, wire } = await connected();
    wire.ackFor = (_t, n) => (n === 3 ? 'fault' : 'ok');
    wire.readValue = (_t, n) => n;
    const r = await one(p, [Cmd.TransferBlock, 0, 5, 0, 0x0f]);
    assert.deepEqual([...r], [Cmd.TransferBlock, 3, 0, Resp.FAULT, ...le32(0), ...le32(1), ...le32(2)]);
  });

  it('TransferAbort has no response and ends a match loop in progress', async () => {
    const { p, wire } = await connected();
    assert.deepEqual(await p.handlePacket(Uint8Array.of(Cmd.TransferAbort)), []);
    await one(p, [Cmd.TransferConfigure, 0, 0, 0, 0xff, 0xff]);
    let reads = 0;
    wire.readValue = () => {
      if (++reads === 10) p.abort();
      return 0;
    };
    const r = await one(p, [Cmd.Transfer, 0, 1, 0x12, ...le32(1)]);
    assert.equal(r[2] & Resp.MISMATCH, Resp.MISMATCH);
    assert.equal(reads, 10, 'stopped right after the abort, not after 65535 retries');
  });
});

describe('unsupported commands answer in their own format', () => {
  it('JTAG, SWO and UART', async () => {
    const { p } = fake();
    assert.deepEqual([...(await one(p, [Cmd.JtagSequence, 1, 0x48, 0xff]))], [Cmd.JtagSequence, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.JtagConfigure, 2, 4, 5]))], [Cmd.JtagConfigure, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.JtagIdcode, 0]))], [Cmd.JtagIdcode, DAP_ERROR, 0, 0, 0, 0]);
    assert.deepEqual([...(await one(p, [Cmd.SwoTransport, 1]))], [Cmd.SwoTransport, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.SwoMode, 1]))], [Cmd.SwoMode, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.SwoBaudrate, ...le32(115200)]))], [Cmd.SwoBaudrate, 0, 0, 0, 0]);
    assert.deepEqual([...(await one(p, [Cmd.SwoControl, 1]))], [Cmd.SwoControl, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.SwoStatus]))], [Cmd.SwoStatus, 0, 0, 0, 0, 0]);
    assert.equal((await one(p, [Cmd.SwoExtendedStatus, 7])).length, 14);
    assert.deepEqual([...(await one(p, [Cmd.SwoData, 64, 0]))], [Cmd.SwoData, 0, 0, 0]);
    assert.deepEqual([...(await one(p, [Cmd.UartTransport, 2]))], [Cmd.UartTransport, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.UartConfigure, 0, ...le32(9600)]))], [Cmd.UartConfigure, 7, 0, 0, 0, 0]);
    assert.deepEqual([...(await one(p, [Cmd.UartTransfer, 4, 0, 2, 0, 0x41, 0x42]))], [Cmd.UartTransfer, 0, 0, 0, 0, 0]);
    assert.deepEqual([...(await one(p, [Cmd.UartControl, 1]))], [Cmd.UartControl, DAP_ERROR]);
    assert.equal((await one(p, [Cmd.UartStatus])).length, 10);
  });
});

describe('atomic commands', () => {
  it('ExecuteCommands runs several commands and answers them in one packet', async () => {
    const { p, wire } = fake();
    const r = await one(p, [Cmd.ExecuteCommands, 3, Cmd.SwjPins, 0, 0x80, 0, 0, 0, 0, Cmd.Delay, 10, 0, Cmd.SwjPins, 0x80, 0x80, 0, 0, 0, 0]);
    assert.equal(r[0], Cmd.ExecuteCommands);
    assert.equal(r[1], 3);
    assert.equal(r[2], Cmd.SwjPins);
    assert.equal(r[3] & 0x80, 0);
    assert.deepEqual([...r.subarray(4, 6)], [Cmd.Delay, DAP_OK]);
    assert.equal(r[6], Cmd.SwjPins);
    assert.equal(r[7] & 0x80, 0x80);
    assert.deepEqual(wire.calls.filter((c) => c.kind === 'reset').map((c) => (c as { asserted: boolean }).asserted), [true, false]);
  });

  it('block-write DAP_Transfers in one ExecuteCommands (one wire call) answer as they do one packet each, faults included', async () => {
    // Each step: SELECT, CSW (word, auto-increment), TAR, then 40 DRW writes.
    const step = (tar: number, seed: number) => {
      const b = [Cmd.Transfer, 0, 43, 0x08, ...le32(0), 0x01, ...le32(0x23000012), 0x05, ...le32(tar)];
      for (let i = 0; i < 40; i++) b.push(0x0d, ...le32(Math.imul(i + seed, 0x9e3779b1) >>> 0));
      return b;
    };
    // The third step's block faults at once (no memory there); the fourth meets the sticky
    // error in its set-up; the fifth runs after ABORT has cleared it.
    const clear = [Cmd.WriteAbort, 0, ...le32(0x1e)];
    const cmds = [step(0x20000000, 1), step(0x20000400, 2), step(0xf0000000, 3), step(0x20000800, 4), clear, step(0x20000c00, 5)];
    const readBack = [Cmd.Transfer, 0, 43, 0x08, ...le32(0), 0x01, ...le32(0x23000012), 0x05, ...le32(0x20000000), ...new Array(40).fill(0x0f)];

    const a = await simulated({ packetSize: 4096 });
    let blockCalls = 0;
    const wire = a.p.wire;
    const original = wire.transferBlocks!.bind(wire);
    (wire as { transferBlocks: typeof original }).transferBlocks = (steps) => (blockCalls++, original(steps));
    const batched = await one(a.p, [Cmd.ExecuteCommands, cmds.length, ...cmds.flat()]);
    assert.equal(blockCalls, 2, 'the first four steps in one wire call; the fifth (after ABORT) alone');
    const b = await simulated({ packetSize: 4096 });
    const alone: number[] = [Cmd.ExecuteCommands, cmds.length];
    for (const c of cmds) alone.push(...(await one(b.p, c)));
    assert.deepEqual([...batched], alone);
    // The faulting write itself is acknowledged (posted); the next one meets the sticky error.
    assert.deepEqual([...batched.subarray(2, 11)], [Cmd.Transfer, 43, Resp.OK, Cmd.Transfer, 43, Resp.OK, Cmd.Transfer, 4, Resp.FAULT]);
    assert.deepEqual([...batched.subarray(11, 14)], [Cmd.Transfer, 0, Resp.FAULT], 'the set-up meets the sticky error');
    for (const k of [0, 0x400, 0x800, 0xc00]) {
      const r = readBack.slice();
      r.splice(14, 4, ...le32(0x20000000 + k));
      assert.deepEqual([...(await one(a.p, r))], [...(await one(b.p, r))], `memory at 0x${(0x20000000 + k).toString(16)}`);
    }
  });

  it('QueueCommands packets wait for the next other packet, then each is answered as ExecuteCommands', async () => {
    const { p } = fake();
    assert.deepEqual(await p.handlePacket(Uint8Array.of(Cmd.QueueCommands, 1, Cmd.HostStatus, 0, 1)), []);
    assert.deepEqual(await p.handlePacket(Uint8Array.of(Cmd.QueueCommands, 2, Cmd.Info, InfoId.PacketCount, Cmd.HostStatus, 1, 1)), []);
    assert.equal(p.state.ledConnect, false, 'nothing ran yet');
    const out = await p.handlePacket(Uint8Array.of(Cmd.Info, InfoId.PacketSize));
    assert.equal(out.length, 3);
    assert.deepEqual([...out[0]], [Cmd.ExecuteCommands, 1, Cmd.HostStatus, DAP_OK]);
    assert.deepEqual([...out[1]], [Cmd.ExecuteCommands, 2, Cmd.Info, 1, 4, Cmd.HostStatus, DAP_OK]);
    assert.deepEqual([...out[2]], [Cmd.Info, 2, 0, 2]);
    assert.equal(p.state.ledConnect && p.state.ledRunning, true);
  });
});

describe('malformed commands: an error reply, no effect, the next command works', () => {
  it('truncated commands', async () => {
    const { p, wire } = fake();
    await one(p, [Cmd.Connect, 1]);
    const calls = wire.calls.length;
    assert.deepEqual([...(await one(p, [Cmd.Transfer, 0, 2, 0x00, 1, 2]))], [Cmd.Transfer, 0, Resp.ERROR], 'write data cut short');
    assert.deepEqual([...(await one(p, [Cmd.TransferBlock, 0, 4, 0, 0x0d, 1, 2, 3, 4]))], [Cmd.TransferBlock, 0, 0, Resp.ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.SwjPins, 0x00, 0x80]))], [Cmd.SwjPins, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.SwjSequence, 64, 0xff]))], [Cmd.SwjSequence, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.SwdSequence, 2, 8, 0xff]))], [Cmd.SwdSequence, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.Info]))], [Cmd.Info, 0]);
    assert.deepEqual([...(await one(p, [Cmd.WriteAbort, 0, 0x1e]))], [Cmd.WriteAbort, DAP_ERROR]);
    assert.deepEqual([...(await one(p, [Cmd.TransferConfigure, 0, 1]))], [Cmd.TransferConfigure, DAP_ERROR]);
    assert.equal(wire.calls.length, calls, 'the wire was not touched');
    assert.ok(p.stats.malformed >= 8);
    assert.deepEqual([...(await one(p, [Cmd.Connect, 1]))], [Cmd.Connect, 1]);
  });

  it('responses that would not fit in a packet', async () => {
    const { p, wire } = fake({ packetSize: 64 });
    await one(p, [Cmd.Connect, 1]);
    const calls = wire.calls.length;
    // 16 reads need 3 + 64 bytes.
    const r = await one(p, [Cmd.Transfer, 0, 16, ...new Array(16).fill(0x02)]);
    assert.deepEqual([...r.subarray(0, 3)], [Cmd.Transfer, 0, Resp.ERROR]);
    const b = await one(p, [Cmd.TransferBlock, 0, 16, 0, 0x0f]);
    assert.deepEqual([...b.subarray(0, 4)], [Cmd.TransferBlock, 0, 0, Resp.ERROR]);
    assert.equal(wire.calls.length, calls);
    // 15 reads fit exactly.
    const ok = await one(p, [Cmd.Transfer, 0, 15, ...new Array(15).fill(0x02)]);
    assert.deepEqual([...ok.subarray(0, 3)], [Cmd.Transfer, 15, Resp.OK]);
  });

  it('bad ExecuteCommands: nothing in it runs', async () => {
    const { p, wire } = fake();
    const nested = await one(p, [Cmd.ExecuteCommands, 2, Cmd.SwjPins, 0, 0x80, 0, 0, 0, 0, Cmd.ExecuteCommands, 0]);
    assert.deepEqual([...nested], [Cmd.ExecuteCommands, 0]);
    const cut = await one(p, [Cmd.ExecuteCommands, 2, Cmd.SwjPins, 0, 0x80, 0, 0, 0, 0, Cmd.SwjClock, 1]);
    assert.deepEqual([...cut], [Cmd.ExecuteCommands, 0]);
    const unknown = await one(p, [Cmd.ExecuteCommands, 2, Cmd.SwjPins, 0, 0x80, 0, 0, 0, 0, 0x42]);
    assert.deepEqual([...unknown], [Cmd.ExecuteCommands, 0]);
    assert.equal(wire.count('reset'), 0, 'the SWJ_Pins before the bad command did not run');
    assert.equal(p.state.pins & 0x80, 0x80);
  });

  it('an empty packet gets the invalid-command reply', async () => {
    const { p } = fake();
    assert.deepEqual([...(await one(p, []))], [Cmd.Invalid]);
  });

  it('random packets never throw, never exceed the packet size, and leave the device working', async () => {
    const { p } = await simulated({ packetSize: 64 });
    let seed = 0x12345678;
    const rand = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    // Commands that make the simulated core run or wait are left out (DAP_Delay, nRST).
    const ids = [0x00, 0x01, 0x04, 0x05, 0x06, 0x08, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x7e, 0x7f, 0x80, 0x82, 0x42, 0xff];
    for (let i = 0; i < 1500; i++) {
      const len = Math.floor(rand() * 70);
      const pkt = new Uint8Array(len).map(() => Math.floor(rand() * 256));
      if (len > 0) pkt[0] = ids[Math.floor(rand() * ids.length)];
      // No nRST pulses from DAP_Delay / ResetTarget / SWJ_Pins inside atomic packets: keep it quick.
      for (let k = 1; k < len; k++) if (pkt[k] === Cmd.Delay || pkt[k] === Cmd.ResetTarget) pkt[k] = 0x00;
      const out = await p.handlePacket(pkt);
      for (const r of out) assert.ok(r.length <= 64, `response of ${r.length} bytes to ${Buffer.from(pkt).toString('hex')}`);
    }
    await p.handlePacket(Uint8Array.of(Cmd.Info, 0)); // flush anything queued
    const r = await one(p, [Cmd.Info, InfoId.PacketSize]);
    assert.deepEqual([...r.subarray(0, 4)], [Cmd.Info, 2, 64, 0]);
  });

  it('random packets on a v2 device with SWO, the packet-size vendor command among them: never over the size in force', async () => {
    const { p } = await simulated({ packetSize: 512 });
    let seed = 0x9e3779b9;
    const rand = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const ids = [0x00, 0x05, 0x06, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1e, 0x7f, 0x80, 0x81, 0x82];
    let grown = 0;
    for (let i = 0; i < 1500; i++) {
      const len = Math.floor(rand() * 600);
      const pkt = new Uint8Array(len).map(() => Math.floor(rand() * 256));
      if (len > 0) pkt[0] = ids[Math.floor(rand() * ids.length)];
      for (let k = 1; k < len; k++) if (pkt[k] === Cmd.Delay || pkt[k] === Cmd.ResetTarget) pkt[k] = 0x00;
      const out = await p.handlePacket(pkt);
      for (const r of out) assert.ok(r.length <= p.config.packetSize, `response of ${r.length} bytes (packet size ${p.config.packetSize}) to ${Buffer.from(pkt).toString('hex').slice(0, 80)}`);
      if (p.config.packetSize !== 512) grown++;
    }
    assert.ok(grown > 0, 'the vendor command changed the packet size at some point');
    const r = await one(p, [Cmd.Info, InfoId.PacketSize]);
    assert.equal(r[2] | (r[3] << 8), p.config.packetSize);
  });
});
