# Dump a memory region to a file (the file is written by the host: tsprobe prints it as hex).
#   tsprobe run examples/dump_memory.py
import target
import binascii

ADDR = 0x20000000
LENGTH = 256

buf = bytearray(LENGTH)
target.mem_read(buf, ADDR)
print('dumped %d bytes from 0x%08x; first bytes: %s' % (len(buf), ADDR, ' '.join('%02x' % b for b in buf[:16])))
print('hex:', binascii.hexlify(buf).decode())
