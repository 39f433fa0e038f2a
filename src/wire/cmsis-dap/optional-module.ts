// The USB packages (`node-hid`, `usb`) are native modules: optional, loaded only when a USB
// probe is asked for, so simulator and TCP users never need them built. A missing or
// unbuildable module becomes one message saying how to get it.
import { TransportError } from './transport.js';

const cache = new Map<string, Promise<unknown>>();

/** Tests put fake modules here, in place of the real packages. */
export const moduleOverrides = new Map<string, unknown>();

export class MissingModuleError extends TransportError {
  constructor(readonly moduleName: string, why: string, purpose: string) {
    super(`${purpose} needs the npm package '${moduleName}', which could not be loaded (${why}); install it with \`npm install ${moduleName}\` in tsprobe's directory (a native module: it needs a C++ toolchain${moduleName === 'node-hid' ? ' and libudev-dev on Linux' : ' and libusb'}). Simulated targets and --probe tcp://... do not need it.`);
    this.name = 'MissingModuleError';
  }
}

export async function loadOptional<T>(name: 'node-hid' | 'usb', purpose: string): Promise<T> {
  if (moduleOverrides.has(name)) return moduleOverrides.get(name) as T;
  let p = cache.get(name);
  if (!p) {
    // A variable specifier keeps TypeScript from requiring the package's types at build time.
    const spec: string = name;
    p = import(spec).then((m: { default?: unknown }) => m.default ?? m);
    cache.set(name, p);
  }
  try {
    return (await p) as T;
  } catch (e) {
    cache.delete(name);
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ERR_MODULE_NOT_FOUND' ? 'not installed' : err.message.split('\n')[0];
    throw new MissingModuleError(name, why, purpose);
  }
}

/** Is this a permission problem opening a USB device? Then the message points at the udev rules. */
export function permissionHint(e: unknown): string {
  const text = `${(e as Error)?.message ?? e}`;
  if (/LIBUSB_ERROR_ACCESS|permission|EACCES|cannot open device/i.test(text)) {
    return ' (permission denied: on Linux install tsprobe\'s udev rules: sudo cp udev/50-tsprobe-cmsis-dap.rules /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger, then unplug and replug the probe)';
  }
  return '';
}
