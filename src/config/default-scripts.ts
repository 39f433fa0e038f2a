// The startup scripts a factory reset writes, as the old probe's boot.py and main.py.
// `tsprobe serve` has already opened the target and started the gdb server and the
// CMSIS-DAP server (ports from config.json) when they run.

export const DEFAULT_BOOT_PY = `# boot.py: runs first when 'tsprobe serve' starts (tsprobe init rewrites this file).
# The old probe chose its USB mode here; tsprobe's servers are set in config.json.
import target
print('boot.py: target', target.core_name(), 'on', target.driver_name())
`;

export const DEFAULT_MAIN_PY = `# main.py: runs after boot.py (tsprobe init rewrites this file).
# 'monitor python <expr>' in gdb evaluates <expr> here; bmp.repl_fun(f) hands it to f.
import bmp
import target
from target import mem8, mem16, mem32

def memsrch(pattern, start, length):
    # addresses in [start, start+length) where the bytes of pattern begin
    buf = bytearray(length)
    target.mem_read(buf, start)
    buf = bytes(buf)
    found = []
    i = buf.find(pattern)
    while i >= 0:
        found.append(start + i)
        i = buf.find(pattern, i + 1)
    return found

print('main.py: ready; monitor python <expr> evaluates in this script')
`;
