// `monitor connect_rst enable`: attaching (a new client, vAttach) and `monitor reset`
// hold nRST while the core is caught, so it stops at its reset vector before running a
// single instruction of the firmware; disabled, attaching only halts where the core is.
// Against the simulated MPS2 board through the gdb wire; the pin is watched on the
// board's wire and the core's state read through a second debug connection. Then the same
// through gdb-multiarch and a `tsprobe gdb` process.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ProbeSession } from '../../src/probe/session.js';
import { connectCortexM } from '../../src/cortexm/connect.js';
import { createGdbTarget } from '../../src/gdb/cortexm-target.js';
import { GdbServer } from '../../src/gdb/server.js';
import { join } from 'node:path';
import { RspClient } from './rsp-client.js';
import { gdbAvailable, runGdb } from './gdb-runner.js';
import { ROOT, mark, section, startTsprobe } from './harness.js';

// A counting loop in RAM at 0 (MPS2 RAM keeps it across resets): the vector table gives
// SP 0x20001000 and Reset_Handler 0x8: `movs r0, #0` then at 0xA `adds r0, #1; b 0xA`.
const PROGRAM = '0010002009000000' + '00200130fde70000';
const RESET_PC = 0x8;
const DEMCR = 0xe000edfc;

async function monitor(c: RspClient, cmd: string): Promise<string> {
  const out: string[] = [];
  assert.equal(await c.request('qRcmd,' + Buffer.from(cmd).toString('hex'), out), 'OK', `monitor ${cmd}`);
  return out.join('');
}

async function pc(c: RspClient): Promise<number> {
  const hex = await c.request('pf');
  assert.match(hex, /^[0-9a-f]{8}$/);
  return Buffer.from(hex, 'hex').readUInt32LE(0);
}

const settle = () => new Promise((r) => setTimeout(r, 30));

test('connect_rst: attach, vAttach and monitor reset hold nRST and stop at the reset vector', async () => {
  const session = ProbeSession.open('sim:mps2-an385');
  const pin: boolean[] = [];
  const wire = session.simWire;
  const setReset = wire.setReset.bind(wire);
  wire.setReset = async (asserted) => {
    pin.push(asserted);
    await setReset(asserted);
  };
  const conn = await connectCortexM(session.wireFor('gdb'));
  const { target } = await createGdbTarget(conn, { where: 'sim:mps2-an385' });
  const server = new GdbServer(target, { port: 0, version: 'tsprobe test', log: () => {} });
  const { port } = await server.listen();
  const check = await connectCortexM(session.wireFor('check'));
  const clients: RspClient[] = [];
  const connect = async () => {
    const c = await RspClient.connect(port);
    clients.push(c);
    return c;
  };
  try {
    let c = await connect();
    assert.match(await c.request('?'), /^T/);
    assert.equal(await c.request(`M0,10:${PROGRAM}`), 'OK');
    assert.match(await monitor(c, 'connect_rst'), /Assert nRST during connect: disabled/);

    // Disabled: attaching halts the running loop where it is, and the pin stays alone.
    await monitor(c, 'reset');
    await settle();
    assert.equal(await c.request('vAttach;1').then((r) => r.slice(0, 1)), 'T');
    assert.notEqual(await pc(c), RESET_PC, 'halted in the loop');
    assert.deepEqual(pin, []);

    assert.match(await monitor(c, 'connect_rst enable'), /Assert nRST during connect: enabled/);
    assert.match(await monitor(c, 'connect_rst'), /enabled/);

    // vAttach: caught at the reset vector under nRST, which is released afterwards.
    await monitor(c, 'resume');
    await settle();
    assert.ok(!(await check.core.isHalted()), 'the loop runs');
    assert.equal(await c.request('vAttach;1').then((r) => r.slice(0, 1)), 'T');
    assert.equal(await pc(c), RESET_PC);
    assert.deepEqual(pin, [true, false]);
    assert.equal(session.debug.nrst, false, 'nRST released');
    const demcr = Buffer.from(await c.request(`m${DEMCR.toString(16)},4`), 'hex').readUInt32LE(0);
    assert.equal(demcr & 1, 0, 'VC_CORERESET put back');
    assert.notEqual(demcr & (1 << 10), 0, 'the HardFault catch kept');

    // monitor reset (run) pulses nRST and lets the core run; reset halt stops at the vector.
    pin.length = 0;
    assert.match(await monitor(c, 'reset'), /running/);
    assert.deepEqual(pin, [true, false]);
    await settle();
    assert.ok(!(await check.core.isHalted()), 'runs after the reset');
    assert.match(await monitor(c, 'reset halt'), /halted/);
    assert.equal(await pc(c), RESET_PC);

    // A new client connecting to a running core: caught at the reset vector too.
    await monitor(c, 'resume');
    await settle();
    c.close();
    await settle();
    await check.core.resume(); // the leaving client halted it; let the loop run again
    await settle();
    pin.length = 0;
    c = await connect();
    assert.match(await c.request('?'), /^T/);
    assert.equal(await pc(c), RESET_PC);
    assert.deepEqual(pin, [true, false]);

    // Disabled again: back to a plain halt.
    assert.match(await monitor(c, 'connect_rst disable'), /disabled/);
    await monitor(c, 'resume');
    await settle();
    pin.length = 0;
    await c.request('vAttach;1');
    assert.notEqual(await pc(c), RESET_PC);
    assert.deepEqual(pin, []);
  } finally {
    for (const c of clients) c.close();
    await server.close();
    await session.close();
  }
});

test('gdb-multiarch: with connect_rst enabled, the next gdb to connect finds the demo at Reset_Handler', { skip: gdbAvailable() ? false : 'gdb-multiarch is not installed' }, async () => {
  const elf = join(ROOT, 'firmware/build/mps2-an385/demo.elf');
  const server = await startTsprobe(['gdb', '--target', 'sim:mps2-an385', '--port', '0', '--load', elf]);
  try {
    const target = `target extended-remote 127.0.0.1:${server.port}`;
    // The first gdb turns it on and leaves the demo running (after a step into main).
    const first = await runGdb({ elf, timeoutMs: 20000, commands: [target, mark('on'), 'monitor connect_rst enable', 'break main', 'continue', 'detach'] });
    assert.match(section(first.output, 'on'), /Assert nRST during connect: enabled/);
    assert.match(first.output, /Breakpoint 1, main \(\)/);
    const second = await runGdb({ elf, timeoutMs: 20000, commands: [target, mark('pc'), 'x/i $pc', mark('off'), 'monitor connect_rst disable'] });
    assert.match(section(second.output, 'pc'), /<Reset_Handler>/);
    assert.match(section(second.output, 'off'), /disabled/);
  } finally {
    await server.stop();
  }
});
