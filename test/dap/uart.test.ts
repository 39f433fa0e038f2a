// UART COM over DAP (CMSIS-DAP v2.1 DAP_UART_*): the command formats on a fake link, and
// the simulated board's console UART read and written through the commands.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DapProcessor } from '../../src/dap/processor.js';
import { Cap, Cmd, DAP_ERROR, DAP_OK, InfoId } from '../../src/dap/protocol.js';
import { sessionUartLink } from '../../src/dap/session-device.js';
import type { DapUartLink } from '../../src/dap/uart-link.js';
import { parseElf } from '../../src/image/elf.js';
import { ProbeSession } from '../../src/probe/session.js';
import { FakeWire } from './fake-wire.js';
import { ROOT } from './harness.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

async function one(p: DapProcessor, bytes: number[]): Promise<Uint8Array> {
  const out = await p.handlePacket(Uint8Array.from(bytes));
  assert.equal(out.length, 1);
  return out[0];
}

class FakeLink implements DapUartLink {
  sent: number[] = [];
  listener: ((b: number) => void) | null = null;
  send(bytes: Uint8Array): void {
    this.sent.push(...bytes);
  }
  listen(onByte: (b: number) => void): () => void {
    this.listener = onByte;
    return () => (this.listener = null);
  }
  emit(text: string): void {
    for (const c of Buffer.from(text)) this.listener?.(c);
  }
}

describe('UART over DAP commands', () => {
  it('without a UART the capability is clear and the commands fail', async () => {
    const p = new DapProcessor(new FakeWire(), {});
    assert.equal((await one(p, [Cmd.Info, InfoId.Capabilities]))[2] & Cap.UART_DAP, 0);
    assert.deepEqual([...(await one(p, [Cmd.UartTransport, 2]))], [Cmd.UartTransport, DAP_ERROR]);
  });

  it('transport, configure, control, status, transfer', async () => {
    const link = new FakeLink();
    const p = new DapProcessor(new FakeWire(), {}, { uart: link });
    assert.equal((await one(p, [Cmd.Info, InfoId.Capabilities]))[2] & Cap.UART_DAP, Cap.UART_DAP);
    assert.equal(u32(await one(p, [Cmd.Info, InfoId.UartRxBufferSize]), 2), 4096);
    assert.equal(u32(await one(p, [Cmd.Info, InfoId.UartTxBufferSize]), 2), 4096);
    // Before transport via DAP: configure reports every error and baudrate 0.
    assert.deepEqual([...(await one(p, [Cmd.UartConfigure, 0, ...le32(115200)]))], [Cmd.UartConfigure, 7, 0, 0, 0, 0]);
    assert.deepEqual([...(await one(p, [Cmd.UartTransport, 1]))], [Cmd.UartTransport, DAP_ERROR], 'no USB COM port');
    assert.deepEqual([...(await one(p, [Cmd.UartTransport, 2]))], [Cmd.UartTransport, DAP_OK]);
    assert.deepEqual([...(await one(p, [Cmd.UartControl, 0x01]))], [Cmd.UartControl, DAP_ERROR], 'enable before configure');
    assert.deepEqual([...(await one(p, [Cmd.UartConfigure, 0x25, ...le32(9600)]))], [Cmd.UartConfigure, 0x03, 0, 0, 0, 0], '5 data bits, even parity');
    assert.deepEqual([...(await one(p, [Cmd.UartConfigure, 0, ...le32(115200)]))], [Cmd.UartConfigure, 0, ...le32(115200)]);
    link.emit('lost'); // not listening yet
    assert.deepEqual([...(await one(p, [Cmd.UartControl, 0x11]))], [Cmd.UartControl, DAP_OK]);
    link.emit('hello');
    const st = await one(p, [Cmd.UartStatus]);
    assert.equal(st[1], 0x11, 'RX and TX enabled');
    assert.equal(u32(st, 2), 5, '5 bytes waiting');
    const t = await one(p, [Cmd.UartTransfer, 3, 0, 2, 0, 0x41, 0x42]);
    assert.deepEqual([...t.subarray(0, 6)], [Cmd.UartTransfer, 0x11, 2, 0, 3, 0]);
    assert.equal(Buffer.from(t.subarray(6)).toString(), 'hel');
    assert.deepEqual(link.sent, [0x41, 0x42]);
    const rest = await one(p, [Cmd.UartTransfer, 100, 0, 0, 0]);
    assert.equal(Buffer.from(rest.subarray(6)).toString(), 'lo');
    // Overflow: more than the 4 KiB buffer sets "data lost" once.
    link.emit('x'.repeat(5000));
    const lost = await one(p, [Cmd.UartStatus]);
    assert.equal(lost[1] & 0x02, 0x02);
    assert.equal(u32(lost, 2), 4096);
    assert.equal((await one(p, [Cmd.UartStatus]))[1] & 0x02, 0, 'cleared after it was reported');
    assert.deepEqual([...(await one(p, [Cmd.UartControl, 0x26]))], [Cmd.UartControl, DAP_OK], 'disable RX and TX, flush');
    assert.equal(u32(await one(p, [Cmd.UartStatus]), 2), 0);
    assert.equal(link.listener, null, 'stopped listening');
    const none = await one(p, [Cmd.UartTransfer, 10, 0, 1, 0, 0x43]);
    assert.deepEqual([...none], [Cmd.UartTransfer, 0, 0, 0, 0, 0], 'nothing moves while disabled');
  });

  it('received data never exceeds the packet', async () => {
    const link = new FakeLink();
    const p = new DapProcessor(new FakeWire(), { packetSize: 64 }, { uart: link });
    await one(p, [Cmd.UartTransport, 2]);
    await one(p, [Cmd.UartConfigure, 0, ...le32(115200)]);
    await one(p, [Cmd.UartControl, 0x01]);
    link.emit('y'.repeat(200));
    const r = await one(p, [Cmd.UartTransfer, 0xff, 0x00, 0, 0]);
    assert.equal(r.length, 64);
    assert.equal(r[4] | (r[5] << 8), 58);
  });
});

describe('the simulated board console through DAP_UART_Transfer', () => {
  let session: ProbeSession;
  after(async () => {
    await session?.close();
  });

  it('reads the demo firmware greeting after an nRST reset', async () => {
    session = ProbeSession.open('sim:mps2-an385');
    const elf = join(ROOT, 'firmware/build/mps2-an385/demo.elf');
    session.board.load(parseElf(new Uint8Array(readFileSync(elf)), elf));
    const p = new DapProcessor(session.wireFor('test'), {}, { uart: sessionUartLink(session) });
    await one(p, [Cmd.UartTransport, 2]);
    await one(p, [Cmd.UartConfigure, 0, ...le32(115200)]);
    await one(p, [Cmd.UartControl, 0x11]);
    // Reset the target through nRST: the firmware starts over and greets.
    await one(p, [Cmd.SwjPins, 0x00, 0x80, 0, 0, 0, 0]);
    await one(p, [Cmd.SwjPins, 0x80, 0x80, 0, 0, 0, 0]);
    let text = '';
    const until = Date.now() + 5000;
    while (!/tick 2:/.test(text) && Date.now() < until) {
      const r = await one(p, [Cmd.UartTransfer, 0xf0, 0x01, 0, 0]);
      text += Buffer.from(r.subarray(6, 6 + (r[4] | (r[5] << 8)))).toString('latin1');
      await new Promise((res) => setTimeout(res, 5));
    }
    assert.match(text, /Hello from tsprobe's demo firmware on Cortex-M3 \(CPUID 0x410fc231\)/i);
    assert.match(text, /tick 1: 10 ms of simulated time\ntick 2: 20 ms/);
    p.close();
  });
});
