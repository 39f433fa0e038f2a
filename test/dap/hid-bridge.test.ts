// The hidapi bridge (native/tsprobe-hidapi.c) on its own, through the python `hid`
// module's calls into it, and `tsprobe hid-bridge`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE_LIB, bridgeEnv, ensureBridge, ROOT, runProcess, startDapServer, type RunningDapServer } from './harness.js';

const PYTHON = '/usr/bin/python3';
const problem = !existsSync(PYTHON) ? `${PYTHON} is missing` : ensureBridge();

describe('hidapi bridge through python-hid', { skip: problem ?? false }, () => {
  let server: RunningDapServer;
  before(async () => {
    server = await startDapServer({ config: { packetSize: 64 }, loop: false });
  });
  after(async () => {
    await server?.close();
  });

  it('enumerates one CMSIS-DAP device and carries reports to and from tsprobe', async (t) => {
    const probe = await runProcess(PYTHON, ['-c', 'import hid'], process.env, 10_000);
    if (probe.code !== 0) {
      t.skip('python3-hid is not installed');
      return;
    }
    const r = await runProcess(PYTHON, [join(ROOT, 'test/dap/hid_bridge_host.py')], bridgeEnv(server.port, { TSPROBE_HID_SERIAL: 'BRIDGE-7' }), 30_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const seen = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(seen.enumerate.length, 1);
    const dev = seen.enumerate[0];
    assert.equal(dev.path, `tsprobe:127.0.0.1:${server.port}`);
    assert.equal(dev.vendor_id, 0x1209);
    assert.equal(dev.product_id, 0x0001);
    assert.equal(dev.product_string, 'tsprobe CMSIS-DAP');
    assert.equal(dev.manufacturer_string, 'tsprobe');
    assert.equal(dev.serial_number, 'BRIDGE-7');
    assert.equal(dev.usage_page, 0xff00);
    assert.equal(seen.enumerate_other_vid, 0, 'a filter for another VID/PID finds nothing');
    assert.equal(seen.product, 'tsprobe CMSIS-DAP');
    assert.equal(seen.manufacturer, 'tsprobe');
    assert.equal(seen.serial, 'BRIDGE-7');
    assert.equal(seen.indexed2, 'tsprobe CMSIS-DAP');
    assert.equal(seen.write_returned, 65);
    assert.deepEqual(seen.info_reply, [0x00, 2, 64, 0]);
    assert.equal(seen.reply_len, 64, 'one input report of 64 bytes');
    assert.deepEqual(seen.timeout_read, []);
    assert.ok(seen.timeout_ms >= 40, `waited ${seen.timeout_ms} ms`);
    assert.deepEqual(seen.nonblocking_read, []);
    assert.equal(seen.feature, 'error');
    assert.deepEqual(seen.pipelined, [[0x00, 1, 1], [0x02, 1]]);
  });

  it('says clearly when tsprobe dap is not running', async () => {
    const r = await runProcess(PYTHON, ['-c', 'import hid\nd = hid.device()\ntry:\n  d.open_path(hid.enumerate()[0]["path"])\nexcept Exception as e:\n  print("failed", e)'], bridgeEnv(1), 30_000);
    assert.match(r.stdout, /failed/);
    assert.match(r.stderr, /cannot connect to the tsprobe CMSIS-DAP device at 127\.0\.0\.1:1: Connection refused \(is `tsprobe dap` running\?/);
  });
});

describe('tsprobe hid-bridge', () => {
  it('--print-env prints the LD_PRELOAD library and the address', async () => {
    const r = await runProcess(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'hid-bridge', '--print-env', '--addr', '127.0.0.1:5000'], process.env, 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `export LD_PRELOAD=${BRIDGE_LIB}\nexport TSPROBE_DAP_ADDR=127.0.0.1:5000\n`);
    assert.ok(existsSync(BRIDGE_LIB), 'the library exists after --print-env (built on demand)');
  });
});
