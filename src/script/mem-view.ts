// `t.mem32[addr]`: memory by index, as MicroPython's machine.mem32. Over an async wire
// a read cannot return the value itself, so an index read gives a Promise
// (`await t.mem32[0x20000000]`) and an index assignment queues the write.
export type MemWidth = 1 | 2 | 4;

function indexAddress(prop: string | symbol): number | undefined {
  if (typeof prop !== 'string') return undefined;
  // Property keys arrive as strings: '536870912' for 0x20000000 (JS prints numbers in decimal).
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(prop)) return undefined;
  const n = Number(prop);
  return n <= 0xffffffff ? n : undefined;
}

export interface MemView {
  [addr: number]: Promise<number> | number;
}

export class MemView {
  constructor(width: MemWidth, read: (addr: number) => Promise<number>, write: (addr: number, value: number) => void) {
    return new Proxy(this, {
      get(target, prop, receiver) {
        const a = indexAddress(prop);
        if (a !== undefined) return read(a);
        if (prop === 'width') return width;
        return Reflect.get(target, prop, receiver);
      },
      set(target, prop, value, receiver) {
        const a = indexAddress(prop);
        if (a === undefined) return Reflect.set(target, prop, value, receiver);
        write(a, value as number);
        return true;
      },
    });
  }
}
