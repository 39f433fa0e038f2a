// `tsprobe flash` checked by an independent peer: Debian's OpenOCD 0.12 (through tsprobe's
// CMSIS-DAP server and the hidapi bridge) reads the flash back and compares it with the
// same files using its own ELF and Intel HEX readers (verify_image). The HEX comes from
// GNU objcopy and spans the end of bank 1 and the start of bank 2; the ELF must then run
// from flash and greet on USART1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openocdSkipReason, ROOT, runOpenocd, startDapServer, which, type RunningDapServer } from '../dap/harness.js';

const skip = openocdSkipReason() || (which('arm-none-eabi-objcopy') ? false : 'arm-none-eabi-objcopy is not installed');
const CLI = join(ROOT, 'dist/src/cli/main.js');

function tsprobe(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // asynchronous: the CMSIS-DAP server it talks to runs in this process
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TSPROBE_NO_USB_SCAN: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('tsprobe flash, verified by OpenOCD 0.12 (verify_image) on the simulated stm32h743', { skip }, () => {
  let server: RunningDapServer;
  let dir: string;
  let uart = '';
  before(async () => {
    server = await startDapServer({ board: 'stm32h743', config: { packetSize: 512 }, loop: false });
    server.session.board.uarts[0].output = (c) => (uart += String.fromCharCode(c));
    dir = mkdtempSync(join(tmpdir(), 'tsprobe-flash-openocd-'));
    writeFileSync(join(dir, 'interface.cfg'), 'adapter driver cmsis-dap\ncmsis_dap_backend hid\ntransport select swd\ngdb_port disabled\ntcl_port disabled\ntelnet_port disabled\n');
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const openocd = (commands: string[]) => runOpenocd(server.port, dir, ['-f', join(dir, 'interface.cfg'), '-f', 'target/stm32h7x.cfg'], commands);

  it('an objcopy Intel HEX across both banks: OpenOCD verifies every byte tsprobe programmed', async () => {
    const data = new Uint8Array(96 * 1024 + 5);
    let x = 12345;
    for (let i = 0; i < data.length; i++) data[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    writeFileSync(join(dir, 'data.bin'), data);
    const hex = join(dir, 'across-banks.hex');
    // 0x080F0000: the last 64 KiB of bank 1, then 32 KiB + 5 bytes of bank 2
    const oc = spawnSync('arm-none-eabi-objcopy', ['-I', 'binary', '-O', 'ihex', '--change-addresses', '0x080f0000', join(dir, 'data.bin'), hex], { timeout: 30_000, encoding: 'utf8' });
    assert.equal(oc.status, 0, oc.stderr);
    const r = await tsprobe(['flash', '--probe', `tcp://127.0.0.1:${server.port}`, hex, '--verify']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${data.length} bytes flashed to STM32H743 \\(erased 256\\.0 KiB`));
    const out = await openocd(['reset halt', `verify_image ${hex}`]);
    assert.match(out, new RegExp(`verified ${data.length} bytes`), out);
  });

  it('the demo ELF: OpenOCD verifies it, and after reset it runs from flash', async () => {
    const elf = join(ROOT, 'test/image/fixtures/demo-h743.elf');
    const r = await tsprobe(['flash', '--probe', `tcp://127.0.0.1:${server.port}`, elf]);
    assert.equal(r.code, 0, r.stderr);
    uart = '';
    const out = await openocd(['reset halt', `verify_image ${elf}`, 'reset run', 'sleep 300', 'halt', 'reg pc']);
    assert.match(out, /verified 1520 bytes/);
    const pc = /pc \(\/32\): 0x([0-9a-f]{8})/.exec(out);
    assert.ok(pc && (parseInt(pc[1], 16) & 0xfff00000) === 0x08000000, `pc in flash:\n${out}`);
    assert.match(uart, /^Hello from tsprobe's stm32h743 demo/);
  });
});
