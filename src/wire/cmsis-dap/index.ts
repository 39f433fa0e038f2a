// tsprobe as a CMSIS-DAP host: the wire and its transports (TCP, USB HID v1, USB bulk v2).
export * from './transport.js';
export * from './probe-info.js';
export * from './cmsis-dap-wire.js';
export * from './tcp-transport.js';
export * from './hid-transport.js';
export * from './bulk-transport.js';
export { MissingModuleError, loadOptional, moduleOverrides, permissionHint } from './optional-module.js';
export * from './dap-swo.js';
