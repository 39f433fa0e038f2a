# Print the core registers (halts the core first).
#   tsprobe run examples/registers.py
import target

target.halt_request()
regs = target.regs()
for name in ('r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12',
             'sp', 'lr', 'pc', 'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control'):
    print('%-9s 0x%08x' % (name, regs[name] & 0xFFFFFFFF))
