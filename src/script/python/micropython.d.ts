// Types for the parts of the official MicroPython WebAssembly build that tsprobe uses.
declare module '@micropython/micropython-webassembly-pyscript' {
  export interface MicroPython {
    runPython(code: string): unknown;
    runPythonAsync(code: string): Promise<unknown>;
    registerJsModule(name: string, module: object): void;
    pyimport(name: string): unknown;
    globals: { get(key: string): unknown; set(key: string, value: unknown): void; delete(key: string): void };
    replInit(): void;
    replProcessChar(chr: number): number;
    FS: { mkdirTree(path: string): void; writeFile(path: string, data: string | Uint8Array): void; readFile(path: string): Uint8Array };
    _module: { _mp_sched_keyboard_interrupt(): void };
  }
  export function loadMicroPython(options?: {
    stdout?: (data: Uint8Array) => void;
    stderr?: (data: Uint8Array) => void;
    linebuffer?: boolean;
    heapsize?: number;
    pystack?: number;
  }): Promise<MicroPython>;
}
