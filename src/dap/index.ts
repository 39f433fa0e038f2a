export * from './protocol.js';
export * from './device-config.js';
export * from './processor.js';
export * from './uart-link.js';
export * from './tcp-framing.js';
export * from './tcp-server.js';
export * from './tcp-client.js';
export * from './serve.js';
