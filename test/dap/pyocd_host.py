"""Drive tsprobe's CMSIS-DAP device with pyOCD's Python API (pyOCD 0.13, Debian's
python3-pyocd), through the hidapi bridge. Run by test/dap/pyocd.test.ts with
PYOCD_USB_BACKEND=hidapiusb and LD_PRELOAD set. Prints one JSON object: what pyOCD saw.
"""
import json
import sys

from pyocd.core.helpers import ConnectHelper
from pyocd.probe.aggregator import DebugProbeAggregator


def main():
    out = {}
    probes = DebugProbeAggregator.get_all_connected_probes()
    out["probes"] = [{"id": p.unique_id, "description": p.description, "vendor": p.vendor_name, "product": p.product_name} for p in probes]
    session = ConnectHelper.session_with_chosen_probe(
        unique_id=probes[0].unique_id, target_override="cortex_m", options={"frequency": 1000000}
    )
    with session:
        target = session.board.target
        probe = session.probe
        out["packet_size"] = probe._link._packet_size
        out["cpuid"] = target.read32(0xE000ED00)
        target.write32(0x20000100, 0xA5A55A5A)
        data = bytes(range(256)) * 16
        target.write_memory_block8(0x20002000, list(data))
        back = bytes(target.read_memory_block8(0x20002000, len(data)))
        out["block_ok"] = back == data
        out["word"] = target.read32(0x20000100)
        target.halt()
        out["halted"] = target.is_halted()
        regs = target.read_core_registers_raw(["r0", "sp", "pc", "xpsr"])
        out["regs"] = {"r0": regs[0], "sp": regs[1], "pc": regs[2], "xpsr": regs[3]}
        target.step()
        out["pc_after_step"] = target.read_core_register("pc")
        target.write_core_register("r0", 0x1234)
        out["r0_written"] = target.read_core_register("r0")
        target.resume()
        out["running"] = not target.is_halted()
        target.halt()
        out["r0_after_run"] = target.read_core_register("r0")
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, so the test shows pyOCD's own error
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)
