export * from './protocol.js';
export * from './device-config.js';
export * from './processor.js';
export * from './uart-link.js';
