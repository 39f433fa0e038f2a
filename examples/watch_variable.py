# Watch a variable with a DWT watchpoint and log every change.
#   tsprobe run --target sim:mps2-an385 --load firmware/build/mps2-an385/demo.elf examples/watch_variable.py
import target
from target import mem32

NAME = 'ticks'
CHANGES = 5
addr = target.symbol(NAME)

target.halt_request()
target.breakwatch_set(target.WATCH_WRITE, addr, 4)
last = mem32[addr]
print('watching %s at 0x%08x: %d' % (NAME, addr, last))
n = 0
while n < CHANGES:
    target.halt_resume(False)
    target.wait_halt(5000)
    code, why, where = target.halt_poll()
    value = mem32[addr]
    if value != last:
        print('%s changed: %d -> %d (%s, pc 0x%08x)' % (NAME, last, value, why, target.reg('pc')))
        last = value
        n += 1
target.breakwatch_clear(target.WATCH_WRITE, addr, 4)
target.halt_resume(False)
