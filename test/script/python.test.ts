// MicroPython in its worker against a simulated board: the `target` module, values and
// exceptions crossing the bridge, tracebacks naming the script, monitor evaluation and
// Ctrl-C.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Target } from '../../src/index.js';
import { ProbeContext } from '../../src/script/probe-context.js';
import { PythonRuntime, PythonError } from '../../src/script/python/runtime.js';

async function withPython(fn: (py: PythonRuntime, out: () => string, t: Target) => Promise<void>, load?: string): Promise<void> {
  const t = await Target.open('sim:mps2-an385', { load });
  let text = '';
  const py = await PythonRuntime.start(new ProbeContext(t), { output: (s) => (text += s) });
  try {
    await fn(py, () => text, t);
  } finally {
    await py.close();
    await t.detach();
  }
}

test('python: target module reads and writes memory; 32-bit values come out unsigned both ways', async () => {
  await withPython(async (py, out, t) => {
    await py.run(
      [
        'import target',
        'from target import mem8, mem16, mem32',
        'mem32[0x20000000] = 0xE000EDF0',
        'print(mem32[0x20000000], mem16[0x20000002], mem8[0x20000000])',
        'print(mem32[0xE000ED00] == 0x410FC231)',
        'b = bytearray(4); target.mem_read(b, 0x20000000); print(b)',
        "target.mem_write(0x20000004, b'\\x01\\x02\\x03\\x04')",
        'print(target.core_name(), len(target.mem_map()), target.regs_size())',
        'mem32[0x20000008] = -1',
        'print(hex(mem32[0x20000008]))',
      ].join('\n'),
      'values.py',
    );
    // regs_size: r0-r15, xpsr, msp, psp (4 bytes each) + primask/basepri/faultmask/control (1 byte each) = 80
    assert.equal(out(), `3758157296 57344 240\nTrue\nbytearray(b'\\xf0\\xed\\x00\\xe0')\nCortex-M3 4 80\n0xffffffff\n`);
    assert.equal(await t.read32(0x20000004), 0x04030201);
    assert.equal(await t.read32(0x20000008), 0xffffffff);
  });
});

test('python: mem8/16/32 take ints modulo 2**32 and name any other argument type', async () => {
  await withPython(async (py, out) => {
    await py.run(
      [
        'from target import mem8, mem32',
        'mem32[0x20000010] = 2**40 + 5',
        'mem8[0x20000011] = 0x1FF',
        'print(hex(mem32[2**32 + 0x20000010]), hex(mem32[0x20000010 - 2**32]))',
        'for bad in ("mem32[True]", "mem32[None]", "mem32[2.5]", "mem32[\'x\']", "mem32[0x20000010] = \'v\'", "mem8[0x20000010] = None"):',
        '    try:',
        '        exec(bad)',
        '    except TypeError as e:',
        "        print(bad, '->', e)",
      ].join('\n'),
      'types.py',
    );
    assert.equal(
      out(),
      [
        '0xff05 0xff05',
        'mem32[True] -> address must be an int, not bool',
        'mem32[None] -> address must be an int, not NoneType',
        'mem32[2.5] -> address must be an int, not float',
        "mem32['x'] -> address must be an int, not str",
        "mem32[0x20000010] = 'v' -> value must be an int, not str",
        'mem8[0x20000010] = None -> value must be an int, not NoneType',
        '',
      ].join('\n'),
    );
  });
});

test('python: mem_read and mem_write move bytes, memoryview slices included, across the bridge\'s 1 MiB chunks', async () => {
  await withPython(async (py, out, t) => {
    const size = 1536 * 1024 + 12;
    const pattern = new Uint8Array(size).map((_, i) => (i * 7 + (i >> 11)) & 0xff);
    await t.writeBlock(0x20000000, pattern);
    await py.run(
      [
        'import target',
        `b = bytearray(${size})`,
        'target.mem_read(b, 0x20000000)',
        'print(sum(b), list(b[:4]), list(b[-3:]))',
        'm = bytearray(8)',
        'target.mem_read(memoryview(m)[2:6], 0x20000004)',
        'print(list(m))',
        'try:',
        '    target.mem_read(bytearray(4), 0x50000000)',
        'except RuntimeError as e:',
        "    print('RuntimeError', e)",
        // back, shifted by one byte, from a memoryview slice; and a str
        'target.mem_write(0x20200000, memoryview(b)[1:])',
        "target.mem_write(0x20100000, 'tsprobe')",
      ].join('\n'),
      'block.py',
    );
    assert.deepEqual(await t.readBlock(0x20200000, size - 1), pattern.subarray(1));
    assert.equal(Buffer.from(await t.readBlock(0x20100000, 7)).toString(), 'tsprobe');
    await py.run(
      [
        'try:',
        '    target.mem_write(0x20000000, 5)',
        'except TypeError as e:',
        "    print('TypeError', e)",
      ].join('\n'),
      'bad-write.py',
    );
    const sum = pattern.reduce((a, v) => a + v, 0);
    const list = (xs: Uint8Array) => `[${Array.from(xs).join(', ')}]`;
    const lines = out().split('\n');
    assert.equal(lines[0], `${sum} ${list(pattern.subarray(0, 4))} ${list(pattern.subarray(size - 3))}`);
    assert.equal(lines[1], list(Uint8Array.of(0, 0, ...pattern.subarray(4, 8), 0, 0)));
    assert.match(lines[2], /^RuntimeError read at 0x50000000 failed: bus fault/);
    assert.equal(lines[3], 'TypeError data must be bytes or bytearray, not int');
  });
});

test('python: probe errors are RuntimeError, wrong types TypeError, both catchable; tracebacks name the script', async () => {
  await withPython(async (py, out) => {
    await py.run(
      [
        'import target',
        'try:',
        '    target.mem32[0x50000000]',
        'except RuntimeError as e:',
        "    print('RuntimeError', e)",
        'try:',
        "    target.mem32['x']",
        'except TypeError as e:',
        "    print('TypeError', e)",
        'try:',
        '    target.mem_read(b"abcd", 0x20000000)',
        'except TypeError as e:',
        "    print('TypeError', e)",
        'target.halt_resume(False)',
        'try:',
        "    target.reg('pc')",
        'except RuntimeError as e:',
        "    print('RuntimeError', e)",
      ].join('\n'),
      'errors.py',
    );
    assert.equal(
      out(),
      [
        'RuntimeError read at 0x50000000 failed: bus fault (CTRL/STAT.STICKYERR) - no memory is mapped there on mps2-an385',
        'TypeError address must be an int, not str',
        'TypeError buf must be a bytearray (it is filled in place), not bytes',
        'RuntimeError read register pc: the target is not halted; call halt() first',
        '',
      ].join('\n'),
    );
    const e = await py.run('x = 1\n\ntarget = __import__("target")\ntarget.mem32[0x50000000]\n', 'scripts/bad.py').then(
      () => null,
      (err: unknown) => err,
    );
    assert.ok(e instanceof PythonError);
    assert.match(e.message, /File "scripts\/bad.py", line 4, in <module>/);
    assert.match(e.message, /RuntimeError: read at 0x50000000 failed/);
    assert.doesNotMatch(e.message, /<stdin>/);
  });
});

test('python: halt_poll, breakwatch and registers on the demo firmware', async () => {
  await withPython(
    async (py, out) => {
      await py.run(
        [
          'import target',
          "a = target.symbol('ticks')",
          'print(target.halt_poll()[1])',
          'target.breakwatch_set(target.WATCH_WRITE, a, 4)',
          'target.halt_resume(False)',
          'target.wait_halt(5000)',
          'code, name, addr = target.halt_poll()',
          // the first write to ticks is the C runtime clearing .bss
          'print(code, name, addr == a, target.mem32[a])',
          'target.breakwatch_clear(target.WATCH_WRITE, a, 4)',
          'buf = bytearray(target.regs_size())',
          'target.regs_read(buf)',
          "pc = int.from_bytes(buf[60:64], 'little')",
          "print(pc == target.reg('pc'), target.regs()['pc'] == pc)",
        ].join('\n'),
        'watch.py',
      );
      assert.equal(out(), 'REQUEST\n5 WATCHPOINT True 0\nTrue True\n');
    },
    'firmware/build/mps2-an385/demo.elf',
  );
});

test('python: monitor evaluation, and bmp.repl_fun taking it over', async () => {
  await withPython(async (py) => {
    assert.equal(await py.monitor('1 + 2'), '3');
    assert.equal(await py.monitor('y = 7'), '');
    assert.equal(await py.monitor('hex(y * 6)'), '0x2a'); // a str goes back as it is
    assert.equal(await py.monitor('[y]'), '[7]');
    await py.run("import bmp\nbmp.repl_fun(lambda s: 'got ' + s)\n", 'main.py');
    assert.equal(await py.monitor('anything'), 'got anything');
    await assert.rejects(py.run('import bmp\nbmp.repl_fun(None)\n').then(() => py.monitor('1/0')), /ZeroDivisionError/);
  });
});

test('python: Ctrl-C stops a script at its next target call, and a loop that makes none by restarting the interpreter', { timeout: 60_000 }, async () => {
  await withPython(async (py) => {
    const busy = py.run('import target\nwhile True:\n    target.mem32[0x20000000]\n', 'loop.py').then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await py.interrupt(), false);
    assert.match(String(await busy), /File "loop.py", line 3[\s\S]*KeyboardInterrupt/);
    const spin = py.run('while True:\n    pass\n', 'spin.py').then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await py.interrupt(300), true);
    assert.match(String(await spin), /KeyboardInterrupt/);
    // the interpreter works again afterwards, target calls included (they hung: the old
    // serve loop kept the new interpreter's channel unanswered)
    assert.equal(await py.monitor('6 * 7'), '42');
    assert.equal(await py.monitor('__import__("target").mem32[0xE000ED00] == 0x410FC231'), 'True');
  });
});

test('python: a late wake-up on the call channel never makes the main thread answer a call twice', { timeout: 60_000 }, async () => {
  // The worker can be preempted between storing a request and notifying it, so a notify
  // can arrive after its request was answered. Another thread notifying all the time
  // makes that certain; a main thread that acted on the wake-up instead of the changed
  // sequence number answered the stale request again and read the last answer as a call
  // ("no such probe call '0'" from a halt_poll answer).
  const { Worker } = await import('node:worker_threads');
  await withPython(async (py, out, t) => {
    await t.halt();
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const sab = (py as unknown as { ch: { sab: SharedArrayBuffer } }).ch.sab;
    const noisy = new Worker(
      `const { workerData } = require('node:worker_threads');
       const ctl = new Int32Array(workerData.sab, 0, 16), stop = workerData.stop;
       while (Atomics.load(stop, 0) === 0) { Atomics.notify(ctl, 0); Atomics.notify(ctl, 1); }`,
      { eval: true, workerData: { sab, stop } },
    );
    try {
      await py.run(
        [
          'import target',
          'seen = set()',
          'for i in range(5000):',
          '    seen.add(target.halt_poll()[1])',
          "print('calls', i + 1, sorted(seen))",
        ].join('\n'),
        'poll.py',
      );
    } finally {
      Atomics.store(stop, 0, 1);
      await noisy.terminate();
    }
    assert.equal(out(), "calls 5000 ['REQUEST']\n");
  });
});

test('python: bmp.init starts the gdb server, dap.init the CMSIS-DAP TCP server; deinit stops them', async () => {
  const net = await import('node:net');
  const exchange = (port: number, data: Buffer, until: (b: Buffer) => boolean) =>
    new Promise<Buffer>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let got = Buffer.alloc(0);
      const timer = setTimeout(() => (s.destroy(), reject(new Error(`no answer on ${port}: ${got.toString('latin1')}`))), 5000);
      s.on('error', reject);
      s.on('data', (d) => {
        got = Buffer.concat([got, d]);
        if (until(got)) {
          clearTimeout(timer);
          s.destroy();
          resolve(got);
        }
      });
      s.write(data);
    });
  await withPython(async (py, out) => {
    await py.run('import bmp, dap\ng = bmp.init(tcp=0)\nd = dap.init(0)\nprint(g > 0, d > 0, g != d)\n', 'servers.py');
    assert.equal(out(), 'True True True\n');
    const gdbPort = py.ctx.gdb!.port;
    const dapPort = py.ctx.dap!.port;
    const reply = await exchange(gdbPort, Buffer.from('$qSupported#37'), (b) => /#[0-9a-f]{2}/.test(b.toString('latin1')));
    assert.match(reply.toString('latin1'), /PacketSize=/);
    // CMSIS-DAP over TCP: 8-byte header ("DAP\0", length, type 1) + DAP_Info(vendor)
    const req = Buffer.from([0x44, 0x41, 0x50, 0x00, 2, 0, 1, 0, 0x00, 0x01]);
    const dapReply = await exchange(dapPort, req, (b) => b.length >= 10 && b.length >= 8 + b.readUInt16LE(4));
    assert.equal(dapReply.subarray(8, 9)[0], 0x00);
    assert.match(dapReply.subarray(10).toString('latin1'), /tsprobe/);
    await py.run('bmp.deinit()\ndap.deinit()\n', 'stop.py');
    assert.equal(py.ctx.gdb, null);
    assert.equal(py.ctx.dap, null);
    await assert.rejects(exchange(gdbPort, Buffer.from('$?#3f'), () => true), /ECONNREFUSED/);
  });
});
