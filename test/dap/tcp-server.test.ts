// tsprobe's CMSIS-DAP device over TCP (upstream OpenOCD's `cmsis-dap backend tcp` framing):
// framing, pipelining, bad frames, bad commands, one host at a time, arbitration with the
// other faces, and the `tsprobe dap` command itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DapTcpClient } from '../../src/dap/tcp-client.js';
import { encodeFrame, FRAME_SIGNATURE } from '../../src/dap/tcp-framing.js';
import { Cmd, InfoId, Resp } from '../../src/dap/protocol.js';
import { ProbeBusyError } from '../../src/probe/session.js';
import { ROOT, startDapServer, type RunningDapServer } from './harness.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('CMSIS-DAP over TCP', () => {
  let server: RunningDapServer;
  before(async () => {
    server = await startDapServer({ config: { packetSize: 512 } });
  });
  after(async () => {
    await server?.close();
  });

  it('answers each request frame with one response frame, in order, also when pipelined', async () => {
    const c = await DapTcpClient.open(server.port);
    try {
      for (const id of [InfoId.PacketSize, InfoId.PacketCount, InfoId.Capabilities]) c.send(Uint8Array.of(Cmd.Info, id));
      assert.equal(hex(await c.receive()), '00020002');
      assert.equal(hex(await c.receive()), '000104');
      assert.equal((await c.receive())[0], Cmd.Info);
    } finally {
      c.close();
    }
  });

  it('a host that floods requests without reading gets every response, in order, once it reads', async () => {
    const c = await DapTcpClient.open(server.port);
    try {
      const ones7 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
      await c.command([Cmd.Connect, 1]);
      for (const seq of [[56, ...ones7], [16, 0x9e, 0xe7], [56, ...ones7], [8, 0]]) await c.command([Cmd.SwjSequence, ...seq]);
      const dpidr = await c.command([Cmd.Transfer, 0, 1, 0x02]);
      // 20000 block reads of DPIDR, 127 words each: about 10 MB of responses nobody reads yet.
      const n = 20000;
      for (let i = 0; i < n; i++) c.send(Uint8Array.of(Cmd.TransferBlock, 0, 127, 0, 0x02));
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < n; i++) {
        const r = await c.receive(10_000);
        assert.equal(r.length, 4 + 4 * 127, `response ${i}`);
        assert.equal(r[3], Resp.OK);
        if (i === n - 1) assert.deepEqual([...r.subarray(4, 8)], [...dpidr.subarray(3, 7)]);
      }
      // More than the loopback socket buffers hold: the server must have stopped reading once.
      assert.ok(server.server.stats.backpressurePauses >= 1, 'the server paused reading while responses were unread');
    } finally {
      c.close();
      await c.closed();
    }
  });

  it('reassembles frames split across TCP segments and several frames in one segment', async () => {
    const c = await DapTcpClient.open(server.port);
    try {
      const f = Buffer.concat([encodeFrame(1, Uint8Array.of(Cmd.Connect, 1)), encodeFrame(1, Uint8Array.of(Cmd.Info, InfoId.PacketCount))]);
      for (const byte of f.subarray(0, 5)) c.sendRaw(Uint8Array.of(byte));
      await new Promise((r) => setTimeout(r, 20));
      c.sendRaw(f.subarray(5));
      assert.equal(hex(await c.receive()), '0201');
      assert.equal(hex(await c.receive()), '000104');
    } finally {
      c.close();
    }
  });

  it('bad frames and bad commands get replies; the connection stays usable', async () => {
    const c = await DapTcpClient.open(server.port);
    try {
      c.sendRaw(encodeFrame(2, Uint8Array.of(Cmd.Info, 0xff))); // a "response" sent to the device
      assert.equal(hex(await c.receive()), 'ff');
      assert.equal(hex(await c.command([])), 'ff', 'empty payload');
      assert.equal(hex(await c.command([0x42, 1, 2, 3])), 'ff', 'unknown command');
      assert.equal(hex(await c.command([Cmd.Connect, 1])), '0201');
      assert.equal(hex(await c.command([Cmd.Transfer, 0, 3, 0x02])), `05${'00'}${Resp.ERROR.toString(16).padStart(2, '0')}`, 'truncated Transfer');
      assert.equal(hex(await c.command([Cmd.SwjPins, 1])), '10ff', 'truncated SWJ_Pins');
      assert.equal(hex(await c.command([Cmd.ExecuteCommands, 5, Cmd.Info])), '7f00', 'truncated ExecuteCommands');
      const big = new Uint8Array(2000).fill(0x02);
      big.set([Cmd.Transfer, 0, 255]);
      assert.equal(hex(await c.command(big)), '050008', 'longer than a packet: cut at the packet size, hence truncated');
      assert.equal(hex(await c.command([Cmd.Info, InfoId.PacketCount])), '000104');
    } finally {
      c.close();
    }
    assert.ok(server.logs.some((l) => /frame of type 2/.test(l)), server.logs.join('\n'));
  });

  it('a broken stream (bad signature) closes that connection only; the next host is served', async () => {
    const c = await DapTcpClient.open(server.port);
    const junk = Buffer.alloc(16);
    junk.writeUInt32LE(FRAME_SIGNATURE ^ 0xffff, 0);
    c.sendRaw(junk);
    await c.closed();
    assert.ok(server.logs.some((l) => /bad frame signature/.test(l)), server.logs.join('\n'));
    const d = await DapTcpClient.open(server.port);
    try {
      assert.equal(hex(await d.command([Cmd.Info, InfoId.PacketCount])), '000104');
    } finally {
      d.close();
    }
  });

  it('one host at a time: a second connection is closed with a log line; the first keeps working', async () => {
    const first = await DapTcpClient.open(server.port);
    try {
      assert.equal(hex(await first.command([Cmd.Connect, 1])), '0201');
      const second = await DapTcpClient.open(server.port);
      await second.closed();
      assert.ok(server.logs.some((l) => /refused a second host .* in use by CMSIS-DAP client at 127\.0\.0\.1:\d+/.test(l)), server.logs.join('\n'));
      assert.equal(hex(await first.command([Cmd.Info, InfoId.PacketCount])), '000104');
    } finally {
      first.close();
    }
  });

  it('while a host is connected the other faces get "probe busy"; after it leaves they work again', async () => {
    const host = await DapTcpClient.open(server.port);
    await host.command([Cmd.Info, InfoId.PacketCount]);
    const gdbWire = server.session.wireFor('gdb');
    await assert.rejects(gdbWire.transfer([{ ap: false, read: true, addr: 0 }]), (e: Error) => e instanceof ProbeBusyError && /in use by CMSIS-DAP client at 127\.0\.0\.1/.test(e.message));
    host.close();
    await host.closed();
    for (let i = 0; i < 50 && server.session.busyWith !== null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.session.busyWith, null);
    const res = await gdbWire.transfer([{ ap: false, read: true, addr: 0 }]);
    assert.equal(res.ack, 'ok');
  });
});

describe('tsprobe dap (the command)', () => {
  const cli = join(ROOT, 'dist/src/cli/main.js');

  it('serves on the port it prints, logs hosts, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, 'dap', '--target', 'sim:mps2-an386', '--port', '0', '--packet-size', '64', '--wire', 'bit'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${stdout} ${stderr}`)), 10_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    try {
      assert.match(stdout, /CMSIS-DAP device for sim:mps2-an386/);
      const c = await DapTcpClient.open(port);
      const r = await c.command([Cmd.Info, InfoId.BoardName]);
      assert.equal(r.length, 64, 'v1 flavour: padded reports');
      assert.equal(new TextDecoder().decode(r.subarray(2, 2 + r[1] - 1)), 'mps2-an386');
      const w = await c.command([0x81]);
      assert.equal(new TextDecoder().decode(w.subarray(2, 2 + w[1])), 'sim:mps2-an386 (SWD bit level)', '--wire bit');
      c.close();
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
    assert.match(stderr, /host connected from 127\.0\.0\.1/);
  });

  it('--firmware loads an ELF before serving (read back through DAP transfers)', async () => {
    const elf = join(ROOT, 'firmware/build/mps2-an385/demo.elf');
    const child = spawn(process.execPath, [cli, 'dap', '--port', '0', '--firmware', elf, '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${stdout}`)), 10_000);
        child.stdout.on('data', (d) => {
          stdout += d;
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const c = await DapTcpClient.open(port);
      const ones7 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
      await c.command([Cmd.Connect, 1]);
      for (const seq of [[56, ...ones7], [16, 0x9e, 0xe7], [56, ...ones7], [8, 0]]) await c.command([Cmd.SwjSequence, ...seq]);
      await c.command([Cmd.Transfer, 0, 3, 0x02, 0x00, ...le32(0x1e), 0x04, ...le32(0x50000000)]);
      // SELECT 0, CSW word, TAR 0, two DRW reads: the initial SP and reset vector.
      const r = await c.command([Cmd.Transfer, 0, 5, 0x08, ...le32(0), 0x01, ...le32(0x23000012), 0x05, ...le32(0), 0x0f, 0x0f]);
      assert.deepEqual([...r.subarray(0, 3)], [Cmd.Transfer, 5, Resp.OK]);
      const { parseElf } = await import('../../src/image/elf.js');
      const { readFileSync } = await import('node:fs');
      const image = parseElf(new Uint8Array(readFileSync(elf)), elf);
      const seg = image.segments.find((s) => s.paddr === 0 || s.vaddr === 0);
      assert.ok(seg, 'the ELF has a segment at 0');
      const words = new DataView(seg.data.buffer, seg.data.byteOffset, 8);
      assert.equal(Buffer.from(r.subarray(3, 7)).readUInt32LE(0), words.getUint32(0, true));
      assert.equal(Buffer.from(r.subarray(7, 11)).readUInt32LE(0), words.getUint32(4, true));
      c.close();
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  it('a bad target is a one-line error', async () => {
    const child = spawn(process.execPath, [cli, 'dap', '--target', 'sim:nope', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 2);
    assert.match(stderr, /^tsprobe: unknown simulated board 'nope'/);
    assert.equal(stderr.trim().split('\n').length, 1);
  });
});
