// The Python side of the modules the old probe offered (target, bmp, dap). They are
// written to the interpreter's /lib and call the main thread through `_tsprobe`, a JS
// module the worker registers. A failed call returns None and the reason is fetched
// with _tsprobe.error() ("Kind:message"), so that Python can raise it as a Python
// exception: a JS exception would not be catchable in Python.
//
// Integers cross the bridge as signed 32-bit values: addresses and values are masked
// to 32 bits before they cross, and what comes back is masked again so that
// 0xE000EDF0 reads as 0xE000EDF0, not -536810000.

export const TARGET_PY = String.raw`
import _tsprobe as _t
import json
import binascii

HALT_RUNNING = 0
HALT_ERROR = 1
HALT_REQUEST = 2
HALT_STEPPING = 3
HALT_BREAKPOINT = 4
HALT_WATCHPOINT = 5
HALT_FAULT = 6
BREAK_SOFT = 0
BREAK_HARD = 1
WATCH_WRITE = 2
WATCH_READ = 3
WATCH_ACCESS = 4

_ERRORS = {'RuntimeError': RuntimeError, 'TypeError': TypeError, 'ValueError': ValueError,
           'KeyboardInterrupt': KeyboardInterrupt, 'OSError': OSError}

def _raise():
    e = _t.error()
    i = e.find(':')
    raise _ERRORS.get(e[:i], RuntimeError)(e[i + 1:])

def _call(fn, *args):
    r = _t.call(fn, json.dumps(args))
    if r is None:
        _raise()
    return json.loads(r)

def _call_hex(fn, *args):
    # a hex string answer: its JSON form is the hex in quotes, no need to parse it
    r = _t.call(fn, json.dumps(args))
    if r is None:
        _raise()
    return binascii.unhexlify(r[1:-1])

def _u32(v, what='address'):
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError(what + ' must be an int, not ' + type(v).__name__)
    return v & 0xFFFFFFFF

def _bytes(data, what='data'):
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(what + ' must be bytes or bytearray, not ' + type(data).__name__)
    return binascii.hexlify(data).decode()

class _Mem:
    # machine.mem32-style access: target.mem32[0x20000000], target.mem32[a] = v
    def __init__(self, read, write, mask, width):
        self._read = read
        self._write = write
        self._mask = mask
        self.width = width
    # The worker checks the argument types and masks to 32 bits (ints cross as their low
    # 32 bits): type() checks here cost ~0.7 us, a fifth of a read. On None, _mem_fail
    # names a wrong type or raises the probe's error. A float with an integral value
    # (2.0) is the one bad argument that passes, as the number it equals.
    def __getitem__(self, addr):
        v = self._read(addr)
        if v is None:
            _mem_fail(addr)
        return v & self._mask
    def __setitem__(self, addr, value):
        if self._write(addr, value) is None:
            _mem_fail(addr, value)

def _mem_fail(addr, value=0):
    _u32(addr)
    _u32(value, 'value')
    _raise()

mem8 = _Mem(_t.r8, _t.w8, 0xFF, 1)
mem16 = _Mem(_t.r16, _t.w16, 0xFFFF, 2)
mem32 = _Mem(_t.r32, _t.w32, 0xFFFFFFFF, 4)

def swdp_scan(assert_srst=False):
    return _call('swdp_scan', bool(assert_srst))

def attach(n=1):
    return _call('attach', _u32(n, 'n'))

def detach():
    _call('detach')

def reattach():
    return _call('reattach')

def attached():
    return _call('attached')

def driver_name():
    return _call('driver_name')

def core_name():
    return _call('core_name')

def check_error():
    return False

def mem_map():
    return _call('mem_map')

def mem_map_xml():
    return _call('mem_map_xml')

_CHUNK = 1024 * 1024

def mem_read(buf, addr):
    if not isinstance(buf, (bytearray, memoryview)):
        raise TypeError('buf must be a bytearray (it is filled in place), not ' + type(buf).__name__)
    addr = _u32(addr)
    mv = memoryview(buf)
    # The bytes arrive in a file of the interpreter's own file system (see call_bytes in
    # the worker), in chunks the bridge holds.
    for off in range(0, len(mv), _CHUNK):
        part = mv[off:off + _CHUNK]
        if _t.call_bytes('mem_read', json.dumps((addr + off, len(part)))) is None:
            _raise()
        with open('/tsprobe/block', 'rb') as f:
            f.readinto(part)

def mem_write(addr, data):
    addr = _u32(addr)
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError('data must be bytes or bytearray, not ' + type(data).__name__)
    mv = memoryview(data)
    # The other way round from mem_read: the bytes leave through the file.
    for off in range(0, len(mv), _CHUNK):
        with open('/tsprobe/block', 'wb') as f:
            f.write(mv[off:off + _CHUNK])
        if _t.call_with_bytes('mem_write', json.dumps((addr + off,))) is None:
            _raise()

def flash_erase(addr, length):
    _call('flash_erase', _u32(addr), _u32(length, 'length'))

def flash_write(addr, data):
    _call('flash_write', _u32(addr), _bytes(data))

def flash_done():
    _call('flash_done')

def flash_image(file, verify=True, erase_all=False):
    # tsprobe's addition: erase, program (and verify) an ELF/HEX/BIN file; the core stays halted
    return _call('flash_image', str(file), bool(verify), bool(erase_all))

def tdesc_xml():
    return _call('tdesc_xml')

def regs_size():
    return _call('regs_size')

def regs_read(buf):
    if not isinstance(buf, (bytearray, memoryview)):
        raise TypeError('buf must be a bytearray of regs_size() bytes, not ' + type(buf).__name__)
    data = _call_hex('regs_read', len(buf))
    buf[:] = data

def regs_write(buf):
    _call('regs_write', _bytes(buf, 'buf'))

def reg_read(n, buf):
    if not isinstance(buf, (bytearray, memoryview)):
        raise TypeError('buf must be a bytearray, not ' + type(buf).__name__)
    data = _call_hex('reg_read', _u32(n, 'n'), len(buf))
    buf[:len(data)] = data
    return len(data)

def reg_write(n, buf):
    _call('reg_write', _u32(n, 'n'), _bytes(buf, 'buf'))

def regs():
    # tsprobe's addition: the core registers by name, as a dict of ints
    return _call('regs')

def reg(name):
    return _call('reg', str(name))

def set_reg(name, value):
    _call('set_reg', str(name), _u32(value, 'value'))

def reset(halt=False):
    _call('reset', bool(halt))

def halt_request():
    _call('halt_request')

def halt_poll():
    r = _call('halt_poll')
    return (r[0], r[1], r[2] & 0xFFFFFFFF)

def halt_resume(step=False):
    _call('halt_resume', bool(step))

def wait_halt(timeout_ms=2000):
    # tsprobe's addition: block until halted (RuntimeError after timeout_ms)
    _call('wait_halt', _u32(timeout_ms, 'timeout_ms'))

def breakwatch_set(type, addr, length=4):
    _call('breakwatch_set', _u32(type, 'type'), _u32(addr), _u32(length, 'length'))

def breakwatch_clear(type, addr, length=4):
    _call('breakwatch_clear', _u32(type, 'type'), _u32(addr), _u32(length, 'length'))

def symbol(name):
    # tsprobe's addition: an address from the ELF given with --load
    return _call('symbol', str(name)) & 0xFFFFFFFF
`;

export const BMP_PY = String.raw`
from target import _call
_repl = None

def init(tcp=3333, stream=None):
    if stream is not None:
        raise ValueError('init(stream=...): tsprobe serves gdb over TCP; use init(tcp=PORT)')
    return _call('bmp_init', int(tcp))

def deinit():
    _call('bmp_deinit')

def repl_fun(f=None):
    # f(expr) answers 'monitor python <expr>'; a str or bytes result goes back to gdb
    global _repl
    _repl = f

def debug():
    return _call('bmp_debug')

def tracebuf(cb=None, ena=True):
    # Log a ring buffer the firmware fills: cb=[buf_addr, buf_size, head_addr, tail_addr],
    # head_addr holding the offset the firmware writes next and tail_addr the offset read
    # next (the probe advances it); what lies between is printed on tsprobe's console.
    # ena=False (or no cb) stops it.
    if not ena or cb is None:
        return _call('bmp_tracebuf', False, [])
    if len(cb) != 4:
        raise ValueError('tracebuf(cb=[buf_addr, buf_size, head_addr, tail_addr]): 4 values, got %d' % len(cb))
    return _call('bmp_tracebuf', True, [int(v) & 0xFFFFFFFF for v in cb])

def disp_fun(f=None):
    # Trace output (traceswo, tracebuf) goes to tsprobe's console; a Python callable for it
    # is not supported (the interpreter runs on its own thread, the trace is polled beside it).
    if f is not None:
        raise NotImplementedError('disp_fun: tsprobe prints trace output on its console; a Python display function is not supported')

def traceswo(uart=None, chan=None, baud=None):
    # SWO trace through the probe's SWO input: the listed ITM stimulus channels (default
    # [0]) are printed on tsprobe's console. uart= is the old probe's name for the baud
    # rate of the asynchronous (UART) SWO line; no arguments: off.
    if uart is None and chan is None and baud is None:
        return _call('bmp_traceswo', False, 0, [])
    rate = baud if baud is not None else uart
    chans = [0] if chan is None else [int(c) for c in chan]
    return _call('bmp_traceswo', True, int(rate or 0), chans)

def help():
    print('bmp.init(tcp=3333): start the gdb server; bmp.deinit(): stop it')
    print('bmp.repl_fun(f): f(expr) handles monitor python <expr>; bmp.debug(): toggle bridge call logging')
    print('bmp.traceswo(uart=BAUD, chan=[0, 1]): SWO trace of those ITM channels on the console; bmp.traceswo(): off')
    print('bmp.tracebuf(cb=[buf, size, head_addr, tail_addr], ena=True): log a ring buffer the firmware fills; ena=False: off')

def _monitor(expr):
    if _repl is not None:
        r = _repl(expr)
    else:
        import __main__
        g = __main__.__dict__
        try:
            code = compile(expr, '<monitor>', 'eval')
        except SyntaxError:
            exec(expr, g)
            return ''
        r = eval(code, g)
    if r is None:
        return ''
    if isinstance(r, (bytes, bytearray)):
        return bytes(r).decode()
    return r if isinstance(r, str) else repr(r)
`;

export const DAP_PY = String.raw`
from target import _call

def init(port=4441):
    return _call('dap_init', int(port))

def deinit():
    _call('dap_deinit')
`;
