// ARM architecture facts shared by the simulator and the host stack.
export * from './register.js';
export * from './dp.js';
export * from './ap.js';
export * from './scs-debug.js';
export * from './fpb.js';
export * from './dwt.js';
export * from './itm.js';
export * from './coresight.js';
