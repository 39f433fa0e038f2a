# Search RAM for a byte pattern, as the old probe's memsrch.
#   tsprobe run examples/memsrch.py
import target

def memsrch(pattern, start, length, chunk=4096):
    found = []
    overlap = len(pattern) - 1
    addr = start
    carry = b''
    while addr < start + length:
        n = min(chunk, start + length - addr)
        buf = bytearray(n)
        target.mem_read(buf, addr)
        data = carry + bytes(buf)
        base = addr - len(carry)
        i = data.find(pattern)
        while i >= 0:
            found.append(base + i)
            i = data.find(pattern, i + 1)
        carry = data[len(data) - overlap:] if overlap else b''
        addr += n
    return found

PATTERN = b'Hello'
hits = memsrch(PATTERN, 0x00000000, 0x4000)
print("'%s' found %d time(s): %s" % (PATTERN.decode(), len(hits), ' '.join('0x%08x' % a for a in hits)))
