// The server against the fake target, packet by packet, as gdb would drive it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gdbCrc32 } from '../../src/gdb/crc32.js';
import { COUNTER, EXIT_PC, FAULT_PC, FLASH_BASE, INPUT, PRINT_PC } from './fake-target.js';
import { startFakeServer, withFakeClient } from './server-helpers.js';
import { frame } from './rsp-client.js';

const le32 = (v: number) => Buffer.from(new Uint32Array([v]).buffer).toString('hex');

test('handshake: qSupported, no-ack mode, threads, attached, offsets', async () => {
  await withFakeClient(async (c) => {
    c.raw('+');
    const sup = await c.request('qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vContSupported+');
    const feats = sup.split(';');
    assert.ok(feats.includes('PacketSize=20000'), sup);
    for (const f of ['QStartNoAckMode+', 'qXfer:features:read+', 'qXfer:memory-map:read+', 'vContSupported+', 'swbreak+', 'hwbreak+']) assert.ok(feats.includes(f), `${f} in ${sup}`);
    assert.equal(await c.request('vMustReplyEmpty'), '');
    assert.equal(await c.request('QStartNoAckMode'), 'OK');
    c.noAck = true;
    // From now on no '+' comes back: the next event must be the reply itself.
    c.send('qAttached');
    assert.equal(await c.packet(), '1');
    assert.equal(await c.request('qC'), 'QC1');
    assert.equal(await c.request('qfThreadInfo'), 'm1');
    assert.equal(await c.request('qsThreadInfo'), 'l');
    assert.equal(await c.request('Hg0'), 'OK');
    assert.equal(await c.request('qOffsets'), 'Text=0;Data=0;Bss=0');
    assert.equal(await c.request('vCont?'), 'vCont;c;C;s;S;t');
    assert.match(await c.request('?'), /^T02thread:1;/);
  });
});

test('qXfer: target.xml in chunks, with m-profile, m-system and vfp when there is an FPU', async () => {
  for (const fpu of [false, true]) {
    await withFakeClient(async (c) => {
      let xml = '';
      for (let off = 0; ; ) {
        const r = await c.request(`qXfer:features:read:target.xml:${off.toString(16)},80`);
        assert.ok(r[0] === 'm' || r[0] === 'l', r);
        xml += r.slice(1);
        off += r.length - 1;
        if (r[0] === 'l') break;
      }
      assert.match(xml, /<feature name="org.gnu.gdb.arm.m-profile">/);
      assert.match(xml, /<reg name="xpsr" bitsize="32" regnum="25"/);
      assert.match(xml, /<feature name="org.gnu.gdb.arm.m-system">/);
      for (const r of ['msp', 'psp', 'primask', 'basepri', 'faultmask', 'control']) assert.match(xml, new RegExp(`<reg name="${r}"`));
      assert.equal(/org.gnu.gdb.arm.vfp/.test(xml), fpu);
      if (fpu) assert.match(xml, /<reg name="d15" bitsize="64"/);
      const map = await c.request('qXfer:memory-map:read::0,1000');
      assert.equal(map[0], 'l');
      assert.match(map, /<memory type="flash" start="0x8000000" length="0x10000">\s*<property name="blocksize">0x400<\/property>/);
      assert.match(map, /<memory type="ram" start="0x20000000" length="0x10000"\/>/);
      assert.equal(await c.request('qXfer:features:read:nosuch.xml:0,100'), 'E00');
    }, { fpu });
  }
});

test('registers: g/G/p/P in target.xml order', async () => {
  await withFakeClient(async (c, h) => {
    h.target.setReg(0, 0x11223344);
    h.target.setReg(25, 0x01000000);
    const g = await c.request('g');
    // 17 x 32-bit (r0-r15, xpsr) + msp, psp + 4 x 8-bit = 19*4+4 bytes.
    assert.equal(g.length, (19 * 4 + 4) * 2);
    assert.equal(g.slice(0, 8), le32(0x11223344));
    assert.equal(g.slice(16 * 8, 17 * 8), le32(0x01000000));
    assert.equal(await c.request('p19'), le32(0x01000000));
    assert.equal(await c.request('p0f'), le32(FLASH_BASE));
    assert.equal(await c.request('P1=78563412'), 'OK');
    assert.equal(h.target.reg(1), 0x12345678);
    assert.equal(await c.request('p1'), '78563412', 'cache dropped after P');
    assert.equal(await c.request('P1e=5a'), 'OK', 'control is 8 bits');
    assert.equal(await c.request('p1e'), '5a');
    const newG = 'aa'.repeat(19 * 4 + 4);
    assert.equal(await c.request('G' + newG), 'OK');
    assert.equal(h.target.reg(3), 0xaaaaaaaa);
    assert.equal(await c.request('G' + 'aa'), 'E01', 'wrong length');
    assert.equal(await c.request('p99'), 'E01', 'no such register');
  });
});

test('memory: m, M, X (binary with escapes), partial read at the end of memory, faults', async () => {
  await withFakeClient(async (c, h) => {
    assert.equal(await c.request('M20000000,4:deadbeef'), 'OK');
    assert.equal(await c.request('m20000000,4'), 'deadbeef');
    // X with every byte value, escaping $ # } and * as gdb does.
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const esc: number[] = [];
    for (const b of all) {
      if (b === 0x24 || b === 0x23 || b === 0x7d || b === 0x2a) esc.push(0x7d, b ^ 0x20);
      else esc.push(b);
    }
    assert.equal(await c.request(Buffer.concat([Buffer.from('X20000200,100:'), Buffer.from(esc)])), 'OK');
    assert.deepEqual(Buffer.from(h.target.ram.subarray(0x200, 0x300)), all);
    assert.equal(await c.request('m20000200,100'), all.toString('hex'));
    assert.equal(await c.request('X20000000,0:'), 'OK', 'X probe');
    // Running off the end of RAM returns what exists.
    assert.equal((await c.request('m2000fffc,8')).length, 8);
    assert.equal(await c.request('m40000000,4'), 'E0e');
    assert.equal(await c.request('M40000000,4:00000000'), 'E0e');
    assert.equal(await c.request('M08000000,4:00000000'), 'E0e', 'flash is not writable with M');
    // Large reads are capped to what fits in a packet.
    const big = await c.request('m20000000,20000');
    assert.ok(big.length > 0 && big.length <= 0x20000, `${big.length}`);
  });
});

test('qCRC matches the CRC of memory, and E on a fault', async () => {
  await withFakeClient(async (c, h) => {
    for (let i = 0; i < 0x1000; i++) h.target.ram[i] = (i * 13) & 0xff;
    const expect = gdbCrc32(h.target.ram.subarray(0, 0x1000));
    assert.equal(await c.request('qCRC:20000000,1000'), 'C' + expect.toString(16).padStart(8, '0'));
    assert.equal(await c.request('qCRC:50000000,10'), 'E0e');
  });
});

test('breakpoints: Z0/Z1, continue, swbreak/hwbreak in the stop reply, step', async () => {
  await withFakeClient(async (c, h) => {
    await c.request('qSupported:swbreak+;hwbreak+');
    assert.equal(await c.request(`Z0,${(FLASH_BASE + 0x20).toString(16)},2`), 'OK');
    assert.equal(await c.request(`Z1,${(FLASH_BASE + 0x40).toString(16)},4`), 'OK');
    const r1 = await c.request('vCont;c');
    assert.match(r1, /^T05swbreak:;thread:1;/);
    assert.ok(r1.includes(`0f:${le32(FLASH_BASE + 0x20)}`), r1);
    assert.equal(h.target.pc, FLASH_BASE + 0x20);
    const r2 = await c.request('c');
    assert.match(r2, /^T05hwbreak:;thread:1;/);
    assert.equal(h.target.pc, FLASH_BASE + 0x40);
    assert.match(await c.request('vCont;s:1'), /^T05thread:1;/);
    assert.equal(h.target.pc, FLASH_BASE + 0x42);
    assert.match(await c.request('s'), /^T05thread:1;/);
    assert.equal(h.target.pc, FLASH_BASE + 0x44);
    assert.equal(await c.request(`z0,${(FLASH_BASE + 0x20).toString(16)},2`), 'OK');
    assert.equal(h.target.breakpoints.has(FLASH_BASE + 0x20), false);
    // Out of comparators: an error, not a crash.
    h.target.maxHwBreakpoints = 1;
    assert.equal(await c.request(`Z1,${(FLASH_BASE + 0x60).toString(16)},2`), 'E02');
    // c ADDR resumes at ADDR.
    assert.match(await c.request(`c${(FLASH_BASE + 0x30).toString(16)}`), /^T05hwbreak:/);
  });
});

test('watchpoints report the watched address and kind', async () => {
  await withFakeClient(async (c) => {
    assert.equal(await c.request(`Z2,${COUNTER.toString(16)},4`), 'OK');
    const r = await c.request('vCont;c');
    assert.match(r, new RegExp(`^T05watch:${COUNTER.toString(16)};thread:1;`));
    assert.equal(await c.request(`z2,${COUNTER.toString(16)},4`), 'OK');
    assert.equal(await c.request(`Z3,${INPUT.toString(16)},4`), 'OK');
    assert.match(await c.request('c'), new RegExp(`^T05rwatch:${INPUT.toString(16)};`));
    assert.equal(await c.request(`z3,${INPUT.toString(16)},4`), 'OK');
    assert.equal(await c.request(`Z4,${COUNTER.toString(16)},2`), 'OK');
    assert.match(await c.request('c'), new RegExp(`^T05awatch:${COUNTER.toString(16)};`));
  });
});

test('Ctrl-C while running gives T02; console output arrives as O packets', async () => {
  await withFakeClient(async (c, h) => {
    h.target.stepsPerPoll = 1;
    await c.sendAcked('vCont;c');
    // Let it run a bit, including through PRINT_PC (the toy core loops over 0x1000 bytes).
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.target.running, true);
    c.raw(Buffer.from([3]));
    assert.match(await c.reply(), /^T02thread:1;/);
    assert.equal(h.target.running, false);
    // PRINT_PC is 0xe00 bytes in: with one instruction per poll, 100 ms may not reach it;
    // jump there and run again to see the O packet for sure.
    h.target.pc = PRINT_PC;
    await c.request(`Z1,${(PRINT_PC + 4).toString(16)},2`);
    const out: string[] = [];
    assert.match(await c.request('c', out), /^T05/);
    assert.equal(out.join(''), 'hello\n');
  });
});

test('a fault gives T0B with the fault named in an O packet; exit gives W', async () => {
  await withFakeClient(async (c, h) => {
    h.target.pc = FAULT_PC - 8;
    const out: string[] = [];
    assert.match(await c.request('c', out), /^T0bthread:1;/);
    assert.match(out.join(''), /HardFault/);
    h.target.pc = EXIT_PC - 4;
    h.target.setReg(0, 3);
    assert.equal(await c.request('c'), 'W03');
  });
});

test('monitor commands: help, version, reset halt, mdw/mww, reg, vector_catch, unknown lists commands', async () => {
  await withFakeClient(async (c, h) => {
    const mon = async (cmd: string) => {
      const out: string[] = [];
      const r = await c.request('qRcmd,' + Buffer.from(cmd).toString('hex'), out);
      assert.equal(r, 'OK', `monitor ${cmd}`);
      return out.join('');
    };
    assert.match(await mon('help'), /erase_range ADDR LEN/);
    assert.match(await mon('version'), /tsprobe test[\s\S]*fake Cortex-M/);
    assert.match(await mon('swdp_scan'), /1\s+\*\s+fake Cortex-M/);
    assert.match(await mon('swd_scan'), /fake Cortex-M/);
    assert.match(await mon('targets'), /fake Cortex-M/);
    h.target.pc = FLASH_BASE + 0x100;
    assert.match(await mon('reset halt'), /halted/);
    assert.equal(h.target.resets, 1);
    assert.equal(h.target.running, false);
    assert.equal(await c.request('p0f'), le32(FLASH_BASE), 'registers re-read after reset');
    assert.equal(await mon('mww 0x20000010 0xcafef00d'), '');
    assert.match(await mon('mdw 0x20000010 2'), /^0x20000010: cafef00d 00000000\n$/);
    assert.match(await mon('mdw 0x50000000'), /cannot read memory at 0x50000000/);
    assert.match(await mon('reg r2 0x1234'), /r2 = 0x00001234/);
    assert.equal(h.target.reg(2), 0x1234);
    assert.match(await mon('reg'), /xpsr\s+0x/);
    assert.match(await mon('vector_catch enable hard bus'), /Catching: hard bus/);
    assert.match(await mon('vector_catch enable nonsense'), /usage: vector_catch/);
    assert.match(await mon('erase_range 0x08000000 0x400'), /Erased/);
    assert.match(await mon('fake_hello'), /hello from the fake target/);
    assert.match(await mon('frequency 4M'), /not supported/);
    const unknown = await mon('frobnicate');
    assert.match(unknown, /Unknown command 'frobnicate'/);
    assert.match(unknown, /swdp_scan/);
    assert.match(await mon('halt'), /halted/);
    assert.match(await mon('resume'), /running/);
    assert.equal(h.target.running, true);
    assert.match(await mon('halt'), /halted/);
  });
});

test('flash: vFlashErase/vFlashWrite (binary)/vFlashDone program the flash', async () => {
  await withFakeClient(async (c, h) => {
    const image = Buffer.from(Array.from({ length: 0x800 }, (_, i) => (i * 31 + 7) & 0xff));
    assert.equal(await c.request('vFlashErase:08000000,800'), 'OK');
    const esc: number[] = [];
    for (const b of image) {
      if (b === 0x24 || b === 0x23 || b === 0x7d || b === 0x2a) esc.push(0x7d, b ^ 0x20);
      else esc.push(b);
    }
    assert.equal(await c.request(Buffer.concat([Buffer.from('vFlashWrite:8000000:'), Buffer.from(esc)])), 'OK');
    assert.equal(await c.request('vFlashDone'), 'OK');
    assert.deepEqual(Buffer.from(h.target.flashBytes.subarray(0, 0x800)), image);
    assert.equal(h.target.flashDoneCalls, 1);
    assert.equal(await c.request('qCRC:8000000,800'), 'C' + gdbCrc32(image).toString(16).padStart(8, '0'));
  });
});

test('extended remote: !, vRun resets, vKill, vAttach, R, detach resumes', async () => {
  await withFakeClient(async (c, h) => {
    assert.equal(await c.request('!'), 'OK');
    h.target.pc = FLASH_BASE + 0x300;
    assert.match(await c.request('vRun;'), /^T05thread:1;/);
    assert.equal(h.target.pc, FLASH_BASE);
    assert.equal(await c.request('qAttached'), '0', 'started by us');
    assert.equal(await c.request('vKill;1'), 'OK');
    assert.equal(await c.request('?'), 'W00', 'no process after kill');
    assert.equal(await c.request('qfThreadInfo'), 'l');
    assert.match(await c.request('vAttach;1'), /^T05/);
    assert.equal(await c.request('qAttached'), '1');
    const resets = h.target.resets;
    c.send('R00');
    await c.expectAck(); // R has no reply
    assert.equal(await c.request('?').then((r) => r.slice(0, 3)), 'T05');
    assert.equal(h.target.resets, resets + 1);
    assert.equal(await c.request('D'), 'OK');
    assert.equal(h.target.running, true, 'detach lets it run');
  });
});

test('server stays up: detach and reconnect, second client refused, disconnect while running halts', async () => {
  const h = await startFakeServer();
  try {
    const a = await h.connect();
    assert.equal(h.target.running, false);
    h.target.stepsPerPoll = 1;
    a.send('vCont;c');
    await a.expectAck();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(h.target.running, true);
    // A second client gets an error to its first packet and is closed...
    const b = await h.connect();
    b.raw('+');
    const refusal = await b.request('qSupported:swbreak+');
    assert.match(refusal, /^E\.tsprobe: probe busy/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(b.closed, true);
    // ...and the first keeps running undisturbed; Ctrl-C still works.
    assert.equal(h.target.running, true);
    a.raw(Buffer.from([3]));
    assert.match(await a.packet(), /^T02/);
    // Disconnect while running: target halted, server up.
    a.send('c');
    await a.expectAck();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.target.running, true);
    a.close();
    for (let i = 0; i < 100 && (h.target.running || h.server.connected); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h.target.running, false);
    assert.equal(h.server.connected, false);
    const d = await h.connect();
    assert.match(await d.request('?'), /^T02/);
    assert.equal(await d.request('m20000000,4').then((r) => r.length), 8);
    assert.equal(h.server.sessions, 2);
  } finally {
    await h.close();
  }
});

test('client gone in the middle of a flash write: flash operation finished', async () => {
  await withFakeClient(async (c, h) => {
    assert.equal(await c.request('vFlashErase:08000000,400'), 'OK');
    assert.equal(await c.request('vFlashWrite:8000000:abcd'), 'OK');
    c.close();
    for (let i = 0; i < 100 && h.server.connected; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h.target.flashDoneCalls, 1);
    assert.ok(h.logs.some((l) => /flash/.test(l)));
  });
});

test('frames split at every byte boundary still parse', async () => {
  await withFakeClient(async (c) => {
    const f = frame('m20000000,4');
    for (const b of f) {
      c.raw(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    await c.expectAck();
    assert.equal(await c.packet(), '00000000');
  });
});

test('a target with no flash advertises no flash and refuses vFlash', async () => {
  await withFakeClient(async (c) => {
    assert.equal(await c.request('vFlashErase:08000000,400'), 'E03');
    assert.equal(await c.request('vFlashDone'), 'E03');
  }, { flash: false });
});

test('a slow operation sends keepalive NULs so gdb does not time out', async () => {
  await withFakeClient(async (c, h) => {
    h.target.readDelayMs = 1300;
    assert.match(await c.request('qCRC:20000000,100'), /^C[0-9a-f]{8}$/);
    assert.ok(c.nulBytes >= 1, `keepalives: ${c.nulBytes}`);
  });
});

test('losing the target while it runs gives X (process gone) and a message; the server stays up', async () => {
  await withFakeClient(async (c, h) => {
    h.target.stepsPerPoll = 1;
    await c.sendAcked('vCont;c');
    await new Promise((r) => setTimeout(r, 30));
    h.target.wireLost = true;
    const out: string[] = [];
    assert.equal(await c.reply(out), 'X1d');
    assert.match(out.join(''), /Target lost: SWD wire: no ACK/);
    h.target.wireLost = false;
    assert.equal(await c.request('qC'), 'QC1');
  });
});
