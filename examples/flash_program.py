# Program a firmware image into the flash of an STM32H7 and verify it; then write a small
# record (a serial number) into a sector of its own with flash_erase/flash_write/flash_done.
#   tsprobe run --target sim:stm32h743 examples/flash_program.py
# (a simulated board forgets its flash when tsprobe exits: to keep it, serve the board with
# `tsprobe dap --target sim:stm32h743` and run this with --probe tcp://127.0.0.1:PORT)
import target
import binascii

IMAGE = 'firmware/build/stm32h743/demo.elf'  # read by the host, not by MicroPython
RECORD_AT = 0x080E0000  # the last 128 KiB sector of bank 1
SERIAL = b'tsprobe-0001'

r = target.flash_image(IMAGE, verify=True)
print('%s: erased %d, programmed %d, verified %d bytes' % (IMAGE, r['erased'], r['programmed'], r['verified']))
print('initial sp 0x%08x, reset vector 0x%08x' % (target.mem32[0x08000000], target.mem32[0x08000004]))

target.flash_erase(RECORD_AT, len(SERIAL))
target.flash_write(RECORD_AT, SERIAL)
target.flash_done()
back = bytearray(len(SERIAL))
target.mem_read(back, RECORD_AT)
if bytes(back) != SERIAL:
    raise RuntimeError('serial record: read back %s' % binascii.hexlify(back).decode())
print('serial record at 0x%08x: %s' % (RECORD_AT, binascii.hexlify(back).decode()))
