// SWO trace over DAP (CMSIS-DAP v2.1 DAP_SWO_*): the command formats and rules on a
// fake SWO capture, and the "not supported" answers for a wire without one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DapProcessor } from '../../src/dap/processor.js';
import { Cap, Cmd, DAP_ERROR, DAP_OK, InfoId } from '../../src/dap/protocol.js';
import type { DapDeviceConfig } from '../../src/dap/device-config.js';
import type { SwoCapture, SwoMode, SwoRead } from '../../src/wire/debug-wire.js';
import { DapSwoCapture } from '../../src/wire/cmsis-dap/dap-swo.js';
import { FakeWire } from './fake-wire.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);

/** Records what the device asks of it; serves bytes queued with feed(), and flags once each. */
class FakeSwo implements SwoCapture {
  calls: string[] = [];
  running = false;
  buf: number[] = [];
  overrun = false;
  error = false;
  /** What configure answers (the nearest rate it can do). */
  rate: (mode: SwoMode, baud: number) => number = (_m, b) => b;
  constructor(
    readonly modes: readonly SwoMode[] = ['uart'],
    readonly bufferSize = 8192,
  ) {}
  async configure(mode: SwoMode, baud: number): Promise<number> {
    this.calls.push(`configure ${mode} ${baud}`);
    return this.rate(mode, baud);
  }
  async start(): Promise<void> {
    this.calls.push('start');
    this.running = true;
    this.buf = [];
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
    this.running = false;
  }
  async read(max: number): Promise<SwoRead> {
    const data = Uint8Array.from(this.buf.splice(0, max));
    const r = { data, active: this.running, pending: this.buf.length, overrun: this.overrun, error: this.error };
    this.overrun = false;
    this.error = false;
    return r;
  }
  feed(bytes: number[]): void {
    this.buf.push(...bytes);
  }
}

class SwoWire extends FakeWire {
  constructor(readonly swo: SwoCapture) {
    super();
  }
}

function device(swo: FakeSwo, config: Partial<DapDeviceConfig> = {}): DapProcessor {
  return new DapProcessor(new SwoWire(swo), config);
}

async function one(p: DapProcessor, bytes: number[]): Promise<Uint8Array> {
  const out = await p.handlePacket(Uint8Array.from(bytes));
  assert.equal(out.length, 1);
  return out[0];
}
const ans = async (p: DapProcessor, bytes: number[]) => [...(await one(p, bytes))];

/** Transport 1, UART mode at `baud`, capture started. */
async function started(p: DapProcessor, baud = 115200): Promise<void> {
  assert.deepEqual(await ans(p, [Cmd.SwoTransport, 1]), [Cmd.SwoTransport, DAP_OK]);
  assert.deepEqual(await ans(p, [Cmd.SwoMode, 1]), [Cmd.SwoMode, DAP_OK]);
  assert.deepEqual(await ans(p, [Cmd.SwoBaudrate, ...le32(baud)]), [Cmd.SwoBaudrate, ...le32(baud)]);
  assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_OK]);
}

describe('SWO over DAP commands', () => {
  it('without a capture: no SWO capability, no 0xFD, commands not supported', async () => {
    const p = new DapProcessor(new FakeWire(), {});
    const caps = (await one(p, [Cmd.Info, InfoId.Capabilities]))[2];
    assert.equal(caps & (Cap.SWO_UART | Cap.SWO_MANCHESTER | Cap.SWO_STREAM), 0);
    assert.deepEqual(await ans(p, [Cmd.Info, InfoId.SwoBufferSize]), [Cmd.Info, 0]);
    assert.deepEqual(await ans(p, [Cmd.SwoTransport, 1]), [Cmd.SwoTransport, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 1]), [Cmd.SwoMode, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoBaudrate, ...le32(115200)]), [Cmd.SwoBaudrate, 0, 0, 0, 0]);
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_ERROR]);
  });

  it('capability bits follow the capture modes (never streaming); 0xFD is its buffer size', async () => {
    const caps = async (p: DapProcessor) => (await one(p, [Cmd.Info, InfoId.Capabilities]))[2];
    const uart = device(new FakeSwo(['uart'], 4096));
    assert.equal((await caps(uart)) & (Cap.SWO_UART | Cap.SWO_MANCHESTER | Cap.SWO_STREAM), Cap.SWO_UART);
    assert.equal((await caps(uart)) & Cap.SWD, Cap.SWD);
    const both = device(new FakeSwo(['uart', 'manchester'], 0x12345));
    assert.equal((await caps(both)) & (Cap.SWO_UART | Cap.SWO_MANCHESTER | Cap.SWO_STREAM), Cap.SWO_UART | Cap.SWO_MANCHESTER);
    const man = device(new FakeSwo(['manchester']));
    assert.equal((await caps(man)) & (Cap.SWO_UART | Cap.SWO_MANCHESTER), Cap.SWO_MANCHESTER);
    assert.deepEqual(await ans(both, [Cmd.Info, InfoId.SwoBufferSize]), [Cmd.Info, 4, ...le32(0x12345)]);
  });

  it('transport: 0 and 1 accepted, 2 (trace endpoint) and others refused', async () => {
    const p = device(new FakeSwo());
    assert.deepEqual(await ans(p, [Cmd.SwoTransport, 2]), [Cmd.SwoTransport, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoTransport, 3]), [Cmd.SwoTransport, DAP_ERROR]);
    assert.equal(p.swo!.transport, 0);
    assert.deepEqual(await ans(p, [Cmd.SwoTransport, 1]), [Cmd.SwoTransport, DAP_OK]);
    assert.deepEqual(await ans(p, [Cmd.SwoTransport, 0]), [Cmd.SwoTransport, DAP_OK]);
    assert.deepEqual(await ans(p, [Cmd.SwoTransport, 2]), [Cmd.SwoTransport, DAP_ERROR]);
    assert.equal(p.swo!.transport, 0, 'a refused transport changes nothing');
  });

  it('mode, baudrate and control: what needs what', async () => {
    const swo = new FakeSwo(['uart']);
    swo.rate = (_m, b) => (b > 2_000_000 ? 0 : 114_286);
    const p = device(swo);
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 2]), [Cmd.SwoMode, DAP_ERROR], 'no Manchester on this capture');
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 3]), [Cmd.SwoMode, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoBaudrate, ...le32(115200)]), [Cmd.SwoBaudrate, 0, 0, 0, 0], 'no mode yet');
    assert.deepEqual(swo.calls, []);
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_ERROR], 'start without mode');
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 1]), [Cmd.SwoMode, DAP_OK]);
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_ERROR], 'start without baudrate');
    assert.deepEqual(await ans(p, [Cmd.SwoBaudrate, ...le32(4_000_000)]), [Cmd.SwoBaudrate, 0, 0, 0, 0], 'rate the capture cannot do');
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoBaudrate, ...le32(115200)]), [Cmd.SwoBaudrate, ...le32(114_286)], 'the rate actually set');
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 2]), [Cmd.SwoControl, DAP_ERROR], 'unknown control');
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_OK]);
    assert.deepEqual(swo.calls, ['configure uart 4000000', 'configure uart 115200', 'start']);
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 0]), [Cmd.SwoControl, DAP_OK]);
    assert.deepEqual(swo.calls.at(-1), 'stop');
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 0]), [Cmd.SwoControl, DAP_OK], 'stop when stopped');
    assert.equal(swo.calls.filter((c) => c === 'stop').length, 1);
  });

  it('a new mode needs a new baudrate', async () => {
    const swo = new FakeSwo(['uart', 'manchester']);
    const p = device(swo);
    await ans(p, [Cmd.SwoMode, 1]);
    await ans(p, [Cmd.SwoBaudrate, ...le32(1_000_000)]);
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 1]), [Cmd.SwoMode, DAP_OK]);
    assert.equal(p.swo!.baud, 1_000_000, 'same mode again keeps it');
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 2]), [Cmd.SwoMode, DAP_OK]);
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoBaudrate, ...le32(2_000_000)]), [Cmd.SwoBaudrate, ...le32(2_000_000)]);
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_OK]);
    assert.deepEqual(swo.calls, ['configure uart 1000000', 'configure manchester 2000000', 'start']);
  });

  it('while capturing, transport, mode and baudrate cannot change', async () => {
    const swo = new FakeSwo(['uart', 'manchester']);
    const p = device(swo);
    await started(p);
    const before = swo.calls.length;
    assert.deepEqual(await ans(p, [Cmd.SwoTransport, 0]), [Cmd.SwoTransport, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 2]), [Cmd.SwoMode, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 0]), [Cmd.SwoMode, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoBaudrate, ...le32(9600)]), [Cmd.SwoBaudrate, 0, 0, 0, 0]);
    assert.equal(swo.calls.length, before, 'nothing reached the capture');
    assert.deepEqual([p.swo!.transport, p.swo!.mode, p.swo!.baud], [1, 1, 115200]);
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_OK], 'start when started');
    assert.equal(swo.calls.filter((c) => c === 'start').length, 1, 'and no second start (it would flush)');
    await ans(p, [Cmd.SwoControl, 0]);
    assert.deepEqual(await ans(p, [Cmd.SwoMode, 2]), [Cmd.SwoMode, DAP_OK], 'stopped: allowed again');
  });

  it('status, extended status and data', async () => {
    const swo = new FakeSwo();
    const p = device(swo);
    assert.deepEqual(await ans(p, [Cmd.SwoStatus]), [Cmd.SwoStatus, 0, 0, 0, 0, 0]);
    await started(p);
    swo.feed([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(await ans(p, [Cmd.SwoStatus]), [Cmd.SwoStatus, 0x01, ...le32(10)]);
    assert.deepEqual(await ans(p, [Cmd.SwoData, 4, 0]), [Cmd.SwoData, 0x01, 4, 0, 1, 2, 3, 4]);
    // Only the requested fields, in order.
    assert.deepEqual(await ans(p, [Cmd.SwoExtendedStatus, 0]), [Cmd.SwoExtendedStatus]);
    assert.deepEqual(await ans(p, [Cmd.SwoExtendedStatus, 1]), [Cmd.SwoExtendedStatus, 0x01]);
    assert.deepEqual(await ans(p, [Cmd.SwoExtendedStatus, 2]), [Cmd.SwoExtendedStatus, ...le32(6)]);
    const idx = await one(p, [Cmd.SwoExtendedStatus, 4]);
    assert.equal(idx.length, 9);
    assert.equal(u32(idx, 1), 10, 'index: bytes captured so far');
    const all = await one(p, [Cmd.SwoExtendedStatus, 7]);
    assert.equal(all.length, 14);
    assert.deepEqual([...all.subarray(0, 6)], [Cmd.SwoExtendedStatus, 0x01, ...le32(6)]);
    assert.equal(u32(all, 6), 10);
    assert.ok(u32(all, 10) >= u32(idx, 5), 'timestamps from the device clock, not going back');
    assert.deepEqual(await ans(p, [Cmd.SwoData, 100, 0]), [Cmd.SwoData, 0x01, 6, 0, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(await ans(p, [Cmd.SwoData, 100, 0]), [Cmd.SwoData, 0x01, 0, 0]);
    // Stopped: the status says so; what was captured before the stop is still readable.
    swo.feed([11, 12]);
    await ans(p, [Cmd.SwoControl, 0]);
    assert.deepEqual(await ans(p, [Cmd.SwoStatus]), [Cmd.SwoStatus, 0x00, ...le32(2)]);
    assert.deepEqual(await ans(p, [Cmd.SwoData, 100, 0]), [Cmd.SwoData, 0x00, 2, 0, 11, 12]);
    assert.equal(u32(await one(p, [Cmd.SwoExtendedStatus, 4]), 1), 12);
    // A new start flushes, and counts from 0 again.
    swo.feed([13]);
    assert.deepEqual(await ans(p, [Cmd.SwoControl, 1]), [Cmd.SwoControl, DAP_OK]);
    assert.deepEqual(await ans(p, [Cmd.SwoExtendedStatus, 7]).then((a) => a.slice(0, 10)), [Cmd.SwoExtendedStatus, 0x01, ...le32(0), ...le32(0)]);
  });

  it('data needs transport 1; without it the count is 0 and the bytes stay', async () => {
    const swo = new FakeSwo();
    const p = device(swo);
    await started(p);
    await ans(p, [Cmd.SwoControl, 0]);
    await ans(p, [Cmd.SwoTransport, 0]);
    await ans(p, [Cmd.SwoControl, 1]);
    swo.feed([1, 2, 3]);
    assert.deepEqual(await ans(p, [Cmd.SwoData, 10, 0]), [Cmd.SwoData, 0x01, 0, 0]);
    assert.deepEqual(await ans(p, [Cmd.SwoStatus]), [Cmd.SwoStatus, 0x01, ...le32(3)]);
  });

  it('data is limited by the packet size, alone and inside DAP_ExecuteCommands', async () => {
    const swo = new FakeSwo();
    const p = device(swo, { packetSize: 64, flavour: 'v2' }); // v2: no padding, the length is the answer's own
    await started(p);
    swo.feed(Array.from({ length: 200 }, (_, i) => i));
    const r = await one(p, [Cmd.SwoData, 0xe8, 0x03]);
    assert.equal(r.length, 64);
    assert.equal(u16(r, 2), 60);
    assert.deepEqual([...r.subarray(4)], Array.from({ length: 60 }, (_, i) => i));
    // v2 with 512-byte packets: up to 508 bytes.
    const swo2 = new FakeSwo();
    const p2 = device(swo2);
    await started(p2);
    swo2.feed(new Array(1000).fill(0x55));
    assert.equal(u16(await one(p2, [Cmd.SwoData, 0xff, 0xff]), 2), 508);
    // Inside ExecuteCommands the responses together must fit: 2 + 6 + (4 + 100).
    const ex = await one(p2, [Cmd.ExecuteCommands, 2, Cmd.SwoStatus, Cmd.SwoData, 100, 0]);
    assert.deepEqual([...ex.subarray(0, 8)], [Cmd.ExecuteCommands, 2, Cmd.SwoStatus, 0x01, ...le32(492)]);
    assert.deepEqual([...ex.subarray(8, 12)], [Cmd.SwoData, 0x01, 100, 0]);
    assert.equal(ex.length, 112);
  });

  it('overrun and stream error stay set until a status report, whichever command reads the capture', async () => {
    const swo = new FakeSwo();
    const p = device(swo);
    await started(p);
    swo.overrun = true;
    // Read by a command that reports no status: the flag is kept.
    assert.deepEqual(await ans(p, [Cmd.SwoExtendedStatus, 2]), [Cmd.SwoExtendedStatus, 0, 0, 0, 0]);
    assert.equal(swo.overrun, false, 'the capture reported it');
    assert.deepEqual(await ans(p, [Cmd.SwoStatus]), [Cmd.SwoStatus, 0x81, 0, 0, 0, 0]);
    assert.deepEqual(await ans(p, [Cmd.SwoStatus]), [Cmd.SwoStatus, 0x01, 0, 0, 0, 0], 'cleared once reported');
    swo.error = true;
    swo.feed([7]);
    assert.deepEqual(await ans(p, [Cmd.SwoData, 10, 0]), [Cmd.SwoData, 0x41, 1, 0, 7]);
    assert.deepEqual(await ans(p, [Cmd.SwoExtendedStatus, 1]), [Cmd.SwoExtendedStatus, 0x01]);
    swo.error = true;
    swo.overrun = true;
    assert.deepEqual(await ans(p, [Cmd.SwoExtendedStatus, 1]), [Cmd.SwoExtendedStatus, 0xc1]);
    assert.deepEqual(await ans(p, [Cmd.SwoData, 10, 0]), [Cmd.SwoData, 0x01, 0, 0]);
    // Still sticky after the capture stopped.
    swo.overrun = true;
    await ans(p, [Cmd.SwoExtendedStatus, 4]);
    await ans(p, [Cmd.SwoControl, 0]);
    assert.deepEqual(await ans(p, [Cmd.SwoStatus]), [Cmd.SwoStatus, 0x80, 0, 0, 0, 0]);
  });

  it('truncated SWO commands get the error reply and change nothing', async () => {
    const swo = new FakeSwo();
    const p = device(swo);
    await ans(p, [Cmd.SwoMode, 1]);
    assert.deepEqual(await ans(p, [Cmd.SwoBaudrate, 0x00, 0xc2, 0x01]), [Cmd.SwoBaudrate, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoTransport]), [Cmd.SwoTransport, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoData, 10]), [Cmd.SwoData, DAP_ERROR]);
    assert.deepEqual(await ans(p, [Cmd.SwoExtendedStatus]), [Cmd.SwoExtendedStatus, DAP_ERROR]);
    assert.deepEqual(swo.calls, []);
    // A truncated command in an ExecuteCommands packet: the commands before it do not run either.
    assert.deepEqual(await ans(p, [Cmd.ExecuteCommands, 3, Cmd.SwoTransport, 1, Cmd.SwoMode, 0, Cmd.SwoBaudrate, 1, 2]), [Cmd.ExecuteCommands, 0]);
    assert.deepEqual([p.swo!.transport, p.swo!.mode, p.swo!.baud], [0, 1, 0]);
    assert.deepEqual(swo.calls, []);
    // And in one piece it works: set up and start in one packet.
    const ok = await ans(p, [Cmd.ExecuteCommands, 4, Cmd.SwoTransport, 1, Cmd.SwoMode, 1, Cmd.SwoBaudrate, ...le32(9600), Cmd.SwoControl, 1]);
    assert.deepEqual(ok, [Cmd.ExecuteCommands, 4, Cmd.SwoTransport, DAP_OK, Cmd.SwoMode, DAP_OK, Cmd.SwoBaudrate, ...le32(9600), Cmd.SwoControl, DAP_OK]);
    assert.deepEqual(swo.calls, ['configure uart 9600', 'start']);
  });

  it('the host going away stops a running capture (once)', async () => {
    const swo = new FakeSwo();
    const p = device(swo);
    await started(p);
    p.close();
    assert.equal(swo.calls.at(-1), 'stop', 'stop called before close() returns');
    await new Promise((r) => setImmediate(r));
    assert.equal(swo.running, false);
    p.close();
    assert.equal(swo.calls.filter((c) => c === 'stop').length, 1);
    // Not running: close asks nothing of the capture.
    const idle = new FakeSwo();
    device(idle).close();
    assert.deepEqual(idle.calls, []);
  });

  it('a capture whose stop fails on close does not throw', async () => {
    const swo = new FakeSwo();
    swo.stop = async () => {
      throw new Error('probe busy');
    };
    const p = device(swo);
    await started(p);
    assert.doesNotThrow(() => p.close());
    await new Promise((r) => setImmediate(r));
  });

  it("tsprobe's own host-side capture (DapSwoCapture) through the device", async () => {
    const swo = new FakeSwo(['uart', 'manchester']);
    swo.rate = (_m, b) => b - 1;
    const p = device(swo);
    const host = new DapSwoCapture(async (req) => (await p.handlePacket(req))[0], ['uart', 'manchester'], 8192, () => p.config.packetSize, 'fake');
    assert.equal(await host.configure('manchester', 2_000_000), 1_999_999);
    await host.start();
    swo.feed(Array.from({ length: 1200 }, (_, i) => i & 0xff));
    swo.overrun = true;
    const r = await host.read(1000);
    assert.equal(r.data.length, 1000, 'several DAP_SWO_Data answers of up to 508 bytes');
    assert.deepEqual([r.active, r.pending, r.overrun, r.error], [true, 200, true, false]);
    assert.deepEqual([...r.data.subarray(0, 3)], [0, 1, 2]);
    const rest = await host.read(1000);
    assert.deepEqual([rest.data.length, rest.pending, rest.overrun], [200, 0, false]);
    await host.stop();
    assert.equal((await host.read(0)).active, false);
    assert.deepEqual(swo.calls, ['configure manchester 2000000', 'start', 'stop']);
  });
});
