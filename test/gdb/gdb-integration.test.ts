// tsprobe's gdb server tested with an independent client: Debian's gdb-multiarch in
// batch mode, on our demo firmware, against `tsprobe gdb --target sim:mps2-an385` run as
// a separate process (the simulated board runs inside it, reached through the SWD wire).
// One server serves every gdb session here, so reconnecting is tested on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gdbAvailable, runGdb } from './gdb-runner.js';
import { RspClient } from './rsp-client.js';
import { CLI, ROOT, mark, section, startTsprobe, type TsprobeServer } from './harness.js';
import { runProcess } from '../dap/harness.js';

const ELF = join(ROOT, 'firmware/build/mps2-an385/demo.elf');
const skip = gdbAvailable() ? false : 'gdb-multiarch is not installed';

let server: TsprobeServer | null = null;
let port = 0;
/** The server's log (stderr: packets with --debug) and the firmware's console (stdout). */
const serverErr = () => server!.stderr();
const serverOut = () => server!.stdout();

before(async () => {
  if (skip) return;
  server = await startTsprobe(['gdb', '--target', 'sim:mps2-an385', '--port', '0', '--debug', '--load', ELF]);
  port = server.port;
});

after(async () => {
  if (!server) return;
  await server.stop();
  // The report asks for every packet gdb sent that we answered as unsupported.
  if (process.env.GDB_TEST_LOG) (await import('node:fs')).writeFileSync(process.env.GDB_TEST_LOG, serverErr());
  const m = /packets answered as unsupported: (.*)/.exec(serverErr());
  console.log(`# packets answered empty (unsupported): ${m ? m[1] : '(none)'}`);
});

test('load, compare-sections, break, backtrace, info registers, finish, stepi, next, watch, memory error, reset halt, detach', { skip }, async () => {
  const r = await runGdb({
    elf: ELF,
    timeoutMs: 30000,
    commands: [
      `target extended-remote 127.0.0.1:${port}`,
      mark('load'),
      'load',
      mark('compare'),
      'compare-sections',
      mark('break'),
      'break console_puts',
      'continue',
      mark('bt'),
      'backtrace',
      mark('regs'),
      'info registers',
      mark('finish'),
      'finish',
      mark('stepi'),
      'printf "PC1=%x\\n", $pc',
      'stepi',
      'printf "PC2=%x\\n", $pc',
      mark('next'),
      'delete',
      'next',
      'info symbol $pc',
      mark('watch'),
      'printf "ADDR=%x\\n", &ticks',
      'watch ticks',
      'continue',
      'delete',
      mark('memerr'),
      'x/x 0x60000000',
      mark('reset'),
      'monitor reset halt',
      'maintenance flush register-cache',
      'info symbol $pc',
      mark('detach'),
      'detach',
      mark('end'),
    ],
  });
  const out = r.output;
  assert.equal(r.timedOut, false, `gdb timed out:\n${out}`);
  assert.match(section(out, 'load'), /Loading section \.text, size 0x[0-9a-f]+ lma 0x0[\s\S]*Start address 0x0*1b4/);
  const cmp = section(out, 'compare');
  assert.match(cmp, /Section \.text, range 0x0 -- 0x[0-9a-f]+: matched\./);
  assert.doesNotMatch(cmp, /MIS-MATCHED/);
  assert.match(section(out, 'break'), /Breakpoint 1, console_puts \(s=.*"Hello from tsprobe's demo firmware on "\) at common\/console\.c:\d+/);
  const bt = section(out, 'bt');
  assert.match(bt, /#0 +console_puts/);
  assert.match(bt, /#1 +0x[0-9a-f]+ in main \(\) at src\/demo\.c:\d+/);
  const regs = section(out, 'regs');
  for (const name of ['r0', 'r12', 'sp', 'lr', 'pc', 'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control']) {
    assert.match(regs, new RegExp(`^${name} +0x[0-9a-f]+`, 'm'), `info registers shows ${name}`);
  }
  assert.match(regs, /^pc +0x31c +0x31c <console_puts>/m);
  assert.match(section(out, 'finish'), /main \(\) at src\/demo\.c:\d+/);
  const pcs = /PC1=([0-9a-f]+)\s+[\s\S]*PC2=([0-9a-f]+)/.exec(section(out, 'stepi'));
  assert.ok(pcs, section(out, 'stepi'));
  assert.notEqual(pcs[1], pcs[2], 'stepi moved the pc');
  assert.match(section(out, 'next'), /main \+ \d+ in section \.text/);
  const watch = section(out, 'watch');
  assert.match(watch, /ADDR=20000004/);
  assert.match(watch, /Hardware watchpoint 2: ticks\s+Old value = 0\s+New value = 1/);
  // The stop reply named the watched address (gdb uses it to pick the watchpoint).
  assert.match(serverErr(), /-> T05watch:20000004;/);
  assert.match(section(out, 'memerr'), /Cannot access memory at address 0x60000000/);
  const reset = section(out, 'reset');
  assert.match(reset, /Target reset and halted/);
  assert.match(reset, /Reset_Handler in section \.text/);
  assert.match(section(out, 'detach'), /Inferior 1 \(Remote target\) detached/);
  // The firmware's UART output reached the server's stdout while gdb ran it.
  assert.match(serverOut(), /Hello from tsprobe's demo firmware on Cortex-M3/);
});

test('reconnect after detach; Ctrl-C stops a running target; monitor commands', { skip }, async () => {
  const r = await runGdb({
    elf: ELF,
    timeoutMs: 20000,
    interruptWhen: /@@running@@/,
    interruptDelayMs: 300,
    commands: [
      `target extended-remote 127.0.0.1:${port}`,
      // A tight loop in RAM (b .) so the target runs until interrupted.
      'set {short}0x20001000 = 0xe7fe',
      'set $pc = 0x20001001',
      mark('running'),
      'continue',
      mark('after'),
      'printf "PC=%x\\n", $pc',
      mark('monitor'),
      'monitor version',
      'monitor swdp_scan',
      'monitor mww 0x20001100 0x12345678',
      'monitor mdw 0x20001100',
      'monitor reg r0 0x55',
      'monitor frobnicate',
      'monitor vector_catch enable bus',
      'monitor halt_timeout 500',
      mark('end'),
      'kill',
    ],
  });
  const out = r.output;
  assert.equal(r.timedOut, false, `gdb timed out:\n${out}`);
  assert.match(section(out, 'running'), /Program received signal SIGINT, Interrupt\.\s+0x20001000 in \?\? \(\)/);
  assert.match(section(out, 'after'), /PC=20001000/);
  const mon = section(out, 'monitor');
  assert.match(mon, /tsprobe 0\.1\.0 GDB server\s+Target: Cortex-M3 r\dp\d on sim:mps2-an385/);
  assert.match(mon, /1\s+\*\s+Cortex-M3.*DPIDR 0x[0-9a-f]{8}/);
  assert.match(mon, /0x20001100: 12345678/);
  assert.match(mon, /r0 = 0x00000055/);
  assert.match(mon, /Unknown command 'frobnicate'\.\s+General commands:[\s\S]*mdw ADDR/);
  assert.match(mon, /Catching: .*hard.*bus|Catching: .*bus.*hard/);
  assert.match(mon, /Halt timeout: 500 ms/);
  assert.match(serverErr(), /-> T02thread:1;/);
});

test('run in extended-remote restarts the program and reports its exit', { skip }, async () => {
  const r = await runGdb({
    elf: ELF,
    timeoutMs: 20000,
    commands: [`target extended-remote 127.0.0.1:${port}`, 'break main', 'run', 'info symbol $pc', 'delete', 'continue'],
  });
  const out = r.output;
  assert.equal(r.timedOut, false, `gdb timed out:\n${out}`);
  assert.match(out, /Breakpoint 1, main \(\) at src\/demo\.c:\d+/);
  assert.match(out, /\[Inferior 1 \((process \d+|Remote target)\) exited normally\]/);
  assert.match(serverOut(), /Counted to 5, exiting with status 0\./);
});

test('a second gdb while one is connected is refused; the first is not disturbed', { skip }, async () => {
  const first = await RspClient.connect(port);
  try {
    first.raw('+');
    assert.match(await first.request('qSupported:swbreak+'), /PacketSize=/);
    const r = await runGdb({ elf: ELF, timeoutMs: 10000, commands: [`target extended-remote 127.0.0.1:${port}`] });
    assert.match(r.output, /probe busy: another gdb client is connected/);
    assert.equal(await first.request('qC'), 'QC1');
    assert.match(await first.request('m20001100,4'), /^78563412$/);
  } finally {
    first.close();
  }
});

test('a fault stops with SIGSEGV and the fault named; a semihosting exit status reaches gdb', { skip }, async () => {
  const dir = join(ROOT, 'firmware/build/mps2-an385');
  const fault = await runGdb({ elf: join(dir, 'lockup.elf'), timeoutMs: 20000, commands: [`target extended-remote 127.0.0.1:${port}`, 'load', 'continue', 'info symbol $pc', 'kill'] });
  assert.equal(fault.timedOut, false, fault.output);
  // HardFault is caught by default (vector catch), the fault named in an O packet.
  // (gdb prints the O packet and the signal on different streams: their order varies.)
  assert.match(fault.output, /Target fault: HardFault \(FORCED, UNDEFINSTR\)/);
  assert.match(fault.output, /Program received signal SIGSEGV, Segmentation fault\./);
  assert.match(fault.output, /HardFault_Handler in section \.text/);
  assert.match(serverErr(), /-> T0bthread:1;/);
  const exit = await runGdb({ elf: join(dir, 'exit-status.elf'), timeoutMs: 20000, commands: [`target extended-remote 127.0.0.1:${port}`, 'load', 'continue'] });
  assert.equal(exit.timedOut, false, exit.output);
  assert.match(exit.output, /\[Inferior 1 \((process \d+|Remote target)\) exited with code 03\]/);
  assert.match(serverOut(), /exit-status firmware: exiting with status 3/);
});

test('a client that disconnects while the target runs leaves it halted and the server up', { skip }, async () => {
  const a = await RspClient.connect(port);
  a.raw('+');
  // A tight loop in RAM (b .), then continue and vanish.
  assert.equal(await a.request('M20001000,2:fee7'), 'OK');
  assert.equal(await a.request('Pf=01100020'), 'OK');
  await a.sendAcked('vCont;c');
  await new Promise((r) => setTimeout(r, 100));
  a.close();
  // The server notices the disconnect asynchronously (later on a loaded machine): until
  // it has, a new client is refused as busy. Retry for a bounded time.
  let b = await RspClient.connect(port);
  let stop = '';
  for (let i = 0; i < 100; i++) {
    b.raw('+');
    stop = await b.request('?');
    if (!stop.startsWith('E.tsprobe: probe busy')) break;
    b.close();
    await new Promise((r) => setTimeout(r, 100));
    b = await RspClient.connect(port);
  }
  try {
    assert.match(stop, /^T02thread:1;/);
    assert.equal(await b.request('p0f'), '00100020', 'halted in the loop');
  } finally {
    b.close();
  }
});

test('tsprobe gdb: bad options are one-line errors', { skip }, async () => {
  const run = async (args: string[]) => {
    const r = await runProcess(process.execPath, [CLI, 'gdb', ...args], process.env, 10000);
    return { code: r.code, err: r.stderr };
  };
  const badTarget = await run(['--target', 'sim:nosuchboard', '--port', '0']);
  assert.equal(badTarget.code, 2);
  assert.match(badTarget.err, /^tsprobe: unknown simulated board 'nosuchboard'.*\n$/);
  const badPort = await run(['--port', '99999']);
  assert.equal(badPort.code, 2);
  assert.match(badPort.err, /^tsprobe: --port 99999: expected a TCP port number/);
  const busyPort = await run(['--port', String(port)]);
  assert.equal(busyPort.code, 2);
  assert.match(busyPort.err, /tsprobe: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
});

test('Ctrl-C also stops a core sleeping in WFI with nothing to wake it', { skip }, async () => {
  const r = await runGdb({
    elf: ELF,
    timeoutMs: 15000,
    interruptWhen: /@@running@@/,
    interruptDelayMs: 300,
    // wfi; b .-2 in RAM, no interrupt enabled: the simulated core sleeps for good.
    commands: [`target extended-remote 127.0.0.1:${port}`, 'set {int}0x20001000 = 0xe7fdbf30', 'set $pc = 0x20001001', mark('running'), 'continue', 'printf "PC=%x\\n", $pc', 'kill'],
  });
  assert.equal(r.timedOut, false, r.output);
  assert.match(r.output, /Program received signal SIGINT, Interrupt\./);
  assert.match(r.output, /PC=2000100[02]/);
});
