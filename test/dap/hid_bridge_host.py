"""Exercise tsprobe's hidapi bridge through the python `hid` module (cython-hidapi, which
calls the hidapi C functions the bridge provides). Run with LD_PRELOAD and
TSPROBE_DAP_ADDR set by test/dap/hid-bridge.test.ts; prints one JSON object."""
import json
import time

import hid

out = {}
devs = hid.enumerate()
out["enumerate"] = [
    {k: (v.decode() if isinstance(v, bytes) else v) for k, v in d.items() if k in ("path", "vendor_id", "product_id", "serial_number", "manufacturer_string", "product_string", "usage_page", "interface_number")}
    for d in devs
]
out["enumerate_other_vid"] = len(hid.enumerate(0x1234, 0x5678))
d = hid.device()
d.open_path(devs[0]["path"])
out["manufacturer"] = d.get_manufacturer_string()
out["product"] = d.get_product_string()
out["serial"] = d.get_serial_number_string()
out["indexed2"] = d.get_indexed_string(2)
# DAP_Info packet size: report ID 0, then the command, padded like pyOCD does.
n = d.write([0, 0x00, 0xFF] + [0] * 62)
out["write_returned"] = n
r = d.read(64)
out["info_reply"] = r[:4]
out["reply_len"] = len(r)
# Nothing pending: a read with a timeout returns nothing after about that long.
t0 = time.time()
r = d.read(64, 50)
out["timeout_read"] = list(r)
out["timeout_ms"] = int((time.time() - t0) * 1000)
d.set_nonblocking(1)
out["nonblocking_read"] = list(d.read(64))
d.set_nonblocking(0)
try:
    d.get_feature_report(0, 8)
    out["feature"] = "no error"
except (IOError, OSError, ValueError) as e:
    out["feature"] = "error"
# Two requests in flight, answered in order.
d.write([0, 0x00, 0xFE] + [0] * 62)
d.write([0, 0x02, 0x01] + [0] * 62)
out["pipelined"] = [d.read(64)[:3], d.read(64)[:2]]
d.close()
print(json.dumps(out))
