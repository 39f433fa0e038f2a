export * from './registers.js';
export * from './halt-reason.js';
export * from './breakpoints.js';
export * from './watchpoints.js';
export * from './cortex-m.js';
export * from './connect.js';
