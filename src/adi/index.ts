export * from './errors.js';
export * from './dap.js';
export * from './mem-ap.js';
export * from './rom-table.js';
export * from './discovery.js';
