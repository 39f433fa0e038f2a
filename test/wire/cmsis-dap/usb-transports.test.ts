// The USB transports at their boundary: fake `node-hid` and `usb` modules whose devices
// answer with tsprobe's own CMSIS-DAP processor on a simulated board, recording every
// packet; then a replay-only fake that answers from the recording alone. Also: missing
// packages and permission problems give the messages users need.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeSession } from '../../../src/probe/session.js';
import { DapProcessor } from '../../../src/dap/processor.js';
import { moduleOverrides, CmsisDapWire, HidDapTransport, type NodeHidModule, type NodeHidDevice, type NodeHidDeviceInfo, type UsbModule, type UsbDevice, type UsbEndpoint } from '../../../src/wire/cmsis-dap/index.js';
import { openProbeWire, openTarget } from '../../../src/probe/open-target.js';
import { parseProbeSpec } from '../../../src/probe/probe-spec.js';
import { scanUsbProbes } from '../../../src/probe/usb-probes.js';
import { connectCortexM } from '../../../src/cortexm/connect.js';
import { loadLoopProgram } from '../../dap/harness.js';
import { listCommand } from '../../../src/cli/commands/list.js';

afterEach(() => moduleOverrides.clear());

interface Recording {
  requests: Uint8Array[];
  responses: Uint8Array[];
  /** Most requests sent before the response to the oldest was read. */
  maxOutstanding: number;
}

/** A probe's packet engine: tsprobe's CMSIS-DAP processor on a fresh simulated board, recording. */
async function simulatedProbe(config: { flavour: 'v1' | 'v2'; serialNumber: string }) {
  const session = ProbeSession.open('sim:mps2-an385', { machine: { sliceCycles: 1 << 16, inputOpen: () => true } });
  await loadLoopProgram(session);
  session.acquireExclusive('fake usb host');
  const processor = new DapProcessor(session.wireFor('fake usb host'), config);
  const rec: Recording = { requests: [], responses: [], maxOutstanding: 0 };
  const pending: Promise<Uint8Array[]>[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  return {
    session,
    rec,
    /** A request packet arrives (queued behind earlier ones, as the probe's buffers would). */
    request(p: Uint8Array) {
      rec.requests.push(p);
      const r = chain.then(() => processor.handlePacket(p));
      chain = r;
      pending.push(r);
      rec.maxOutstanding = Math.max(rec.maxOutstanding, pending.length);
    },
    async response(): Promise<Uint8Array | undefined> {
      while (pending.length) {
        const out = await pending.shift()!;
        if (out.length) {
          rec.responses.push(out[0]);
          return out[0];
        }
      }
      return undefined;
    },
  };
}

function fakeHid(devs: { info: NodeHidDeviceInfo; open: () => NodeHidDevice }[]): NodeHidModule {
  return {
    devicesAsync: async () => devs.map((d) => d.info),
    HIDAsync: {
      open: async (path: string) => {
        const d = devs.find((x) => x.info.path === path);
        if (!d) throw new Error(`cannot open device with path ${path}`);
        return d.open();
      },
    },
  };
}

test('USB HID transport: 65-byte reports with report ID 0, the whole debug path works; replay from the recording', async () => {
  const probe = await simulatedProbe({ flavour: 'v1', serialNumber: 'HIDSER1' });
  const writes: number[][] = [];
  try {
    moduleOverrides.set(
      'node-hid',
      fakeHid([
        { info: { vendorId: 0x046d, productId: 0xc52b, path: 'kbd', product: 'USB Receiver' }, open: () => assert.fail('not a probe') },
        {
          info: { vendorId: 0xc251, productId: 0xf002, path: 'hid0', product: 'LPC-Link CMSIS-DAP', manufacturer: 'Keil', serialNumber: 'HIDSER1' },
          open: () => ({
            write: async (data) => {
              const a = Array.from(data);
              writes.push(a);
              probe.request(Uint8Array.from(a.slice(1)));
              return a.length;
            },
            read: async () => {
              const r = await probe.response();
              return r ? Buffer.from(r) : undefined;
            },
            close: async () => undefined,
          }),
        },
      ]),
    );
    const scan = await scanUsbProbes();
    assert.equal(scan.probes.length, 1, 'the keyboard is not a CMSIS-DAP probe');
    assert.match(scan.notes.join('\n'), /'usb' is not installed/);

    const wire = await openProbeWire(parseProbeSpec('HIDSER1'));
    assert.match(wire.description, /usb:c251:f002:HIDSER1 \(HID\)/);
    assert.equal(wire.packetSize, 64);
    const conn = await connectCortexM(wire);
    await conn.core.halt();
    const words = await conn.mem.readWords(0, 2);
    assert.deepEqual([...words, await conn.mem.read32(0x100)], [0x20001000, 0x101, 0xe7fd3001]);
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    await conn.mem.writeBlock(0x20000100, data);
    assert.deepEqual(await conn.mem.readBlock(0x20000100, data.length), data);
    await wire.close();
    assert.ok(writes.length > 20);
    for (const w of writes) {
      assert.equal(w.length, 65, 'a full report');
      assert.equal(w[0], 0, 'report ID 0');
    }
    assert.equal(probe.rec.maxOutstanding, 1, 'a v1 probe with packet count 1 has one packet in flight');

    // Replay: the same requests get the recorded answers, with no simulator behind.
    const rec = probe.rec;
    let i = 0;
    let k = 0;
    moduleOverrides.set(
      'node-hid',
      fakeHid([
        {
          info: { vendorId: 0xc251, productId: 0xf002, path: 'hid0', product: 'LPC-Link CMSIS-DAP', serialNumber: 'HIDSER1' },
          open: () => ({
            write: async (d) => {
              assert.deepEqual(Uint8Array.from(Array.from(d).slice(1)), rec.requests[i], `request ${i} replayed identically`);
              i++;
              return 65;
            },
            read: async () => Buffer.from(rec.responses[k++]),
            close: async () => undefined,
          }),
        },
      ]),
    );
    const again = await openProbeWire(parseProbeSpec('usb:c251:f002'));
    const c2 = await connectCortexM(again);
    await c2.core.halt();
    assert.deepEqual([...(await c2.mem.readWords(0, 2)), await c2.mem.read32(0x100)], [0x20001000, 0x101, 0xe7fd3001]);
    assert.ok(i > 10);
    await again.close().catch(() => undefined);
  } finally {
    await probe.session.close();
  }
});

function endpoint(direction: 'in' | 'out', handler: (arg: number | Buffer, cb: (err: Error | undefined, data?: Buffer) => void) => void): UsbEndpoint {
  return { direction, transferType: 2, timeout: 0, transfer: handler };
}

test('USB bulk transport: the CMSIS-DAP interface found by its string, several packets in flight, results right', async () => {
  const probe = await simulatedProbe({ flavour: 'v2', serialNumber: 'BULK42' });
  const strings: Record<number, string> = { 1: 'ARM', 2: 'DAPLink CMSIS-DAP', 3: 'BULK42', 4: 'CMSIS-DAP v2', 5: 'Mass Storage' };
  let claimed = 0;
  const outSizes: number[] = [];
  const dev: UsbDevice = {
    deviceDescriptor: { idVendor: 0x0d28, idProduct: 0x0204, iManufacturer: 1, iProduct: 2, iSerialNumber: 3 },
    open() {
      this.interfaces = [
        { descriptor: { iInterface: 5, bInterfaceClass: 8, bInterfaceNumber: 0 }, endpoints: [], claim: () => assert.fail('wrong interface'), release: (cb) => cb?.() },
        {
          descriptor: { iInterface: 4, bInterfaceClass: 0xff, bInterfaceNumber: 1 },
          endpoints: [
            endpoint('out', (buf, cb) => {
              outSizes.push((buf as Buffer).length);
              probe.request(new Uint8Array(buf as Buffer));
              setImmediate(() => cb(undefined));
            }),
            endpoint('in', (_len, cb) => {
              void probe.response().then((r) => (r ? cb(undefined, Buffer.from(r)) : cb(new Error('LIBUSB_ERROR_TIMEOUT'))));
            }),
            endpoint('in', () => assert.fail('the SWO endpoint is not for commands')),
          ],
          claim: () => void claimed++,
          release: (cb) => cb?.(),
        },
      ];
    },
    close() {},
    getStringDescriptor(i, cb) {
      setImmediate(() => cb(undefined, strings[i]));
    },
  };
  const other: UsbDevice = {
    deviceDescriptor: { idVendor: 0x1d6b, idProduct: 2, iManufacturer: 0, iProduct: 0, iSerialNumber: 0 },
    open() {
      throw new Error('LIBUSB_ERROR_ACCESS');
    },
    close() {},
    getStringDescriptor: (_i, cb) => cb(new Error('no')),
  };
  try {
    moduleOverrides.set('usb', { getDeviceList: () => [other, dev] } satisfies UsbModule);
    const wire = await openProbeWire(parseProbeSpec('usb:0d28:0204:BULK42'));
    assert.equal(claimed, 1);
    assert.equal(wire.info.product, 'tsprobe CMSIS-DAP'); // what the probe firmware says in DAP_Info
    assert.equal(wire.packetCount, 4);
    const conn = await connectCortexM(wire);
    await conn.core.halt();
    const data = Uint8Array.from({ length: 8192 }, (_, i) => (i * 13 + 5) & 0xff);
    await conn.mem.writeBlock(0x20000000, data);
    assert.deepEqual(await conn.mem.readBlock(0x20000000, data.length), data);
    assert.ok(probe.rec.maxOutstanding >= 2 && probe.rec.maxOutstanding <= 4, `packets in flight: ${probe.rec.maxOutstanding}`);
    assert.ok(outSizes.every((n) => n <= 512), 'no packet over the probe size');
    await wire.close();
    assert.deepEqual([...probe.rec.requests.at(-1)!], [0x03], 'DAP_Disconnect last');
  } finally {
    await probe.session.close();
  }
});

test('USB probes: a missing package is named for USB only; permission denied points at the udev rules', async () => {
  // No overrides: neither package is installed on this machine (optional dependencies).
  await assert.rejects(openProbeWire(parseProbeSpec('usb:0d28:0204')), (e: Error) => {
    assert.match(e.message, /no CMSIS-DAP probe matches --probe usb:0d28:0204/);
    assert.match(e.message, /npm install node-hid/);
    return true;
  });
  await assert.rejects(HidDapTransport.open({ vendorId: 1, productId: 2, path: 'x' }), /needs the npm package 'node-hid'.*npm install node-hid.*--probe tcp/);
  // Simulator and TCP never touch the packages.
  const s = await openTarget({ target: 'sim:mps2-an385' });
  assert.equal(s.simulated, true);
  await s.close();

  moduleOverrides.set('node-hid', {
    devicesAsync: async () => [{ vendorId: 0x2e8a, productId: 0x000c, path: 'p', product: 'Debugprobe CMSIS-DAP', serialNumber: 'E66' }],
    HIDAsync: {
      open: async () => {
        throw new Error('cannot open device with path /dev/hidraw3');
      },
    },
  } satisfies NodeHidModule);
  await assert.rejects(CmsisDapWire.open(() => openHidBySerial('E66')), /udev\/50-tsprobe-cmsis-dap\.rules/);
  await assert.rejects(openTarget({ probe: 'E66' }), /permission denied.*udev/);
  // With exactly one probe attached and no --probe/--target, that probe is chosen.
  await assert.rejects(openTarget({}), /Debugprobe|hidraw3/);
});

async function openHidBySerial(serial: string) {
  const { probes } = await scanUsbProbes();
  const p = probes.find((x) => x.serial === serial);
  if (!p) throw new Error('not found');
  return p.open();
}

test('tsprobe list shows a USB probe with its CMSIS-DAP version, asked by DAP_Info only', async () => {
  const probe = await simulatedProbe({ flavour: 'v1', serialNumber: 'LIST1' });
  try {
    moduleOverrides.set(
      'node-hid',
      fakeHid([
        {
          info: { vendorId: 0x0d28, productId: 0x0204, path: 'h', product: 'DAPLink CMSIS-DAP', manufacturer: 'ARM', serialNumber: 'LIST1' },
          open: () => ({
            write: async (data) => (probe.request(Uint8Array.from(Array.from(data).slice(1))), 65),
            read: async () => {
              const r = await probe.response();
              return r ? Buffer.from(r) : undefined;
            },
            close: async () => undefined,
          }),
        },
      ]),
    );
    const lines: string[] = [];
    assert.equal(await listCommand([], (l) => lines.push(l)), 0);
    const text = lines.join('\n');
    assert.match(text, /^ {2}usb:0d28:0204:LIST1 +ARM DAPLink CMSIS-DAP \(HID, v1\) +CMSIS-DAP 2\.1\.0, serial LIST1, packets 1 x 64 bytes$/m);
    assert.doesNotMatch(text, /no CMSIS-DAP probes found/);
    assert.match(text, /note: .*'usb' is not installed/);
    // Only DAP_Info: the probe was not connected to the target.
    assert.ok(probe.rec.requests.every((p) => p[0] === 0x00), 'DAP_Info requests only');
  } finally {
    await probe.session.close();
  }
});
