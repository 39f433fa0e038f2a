// The DebugWire contract and its simulator implementations (register level and bit level).
export * from './debug-wire.js';
export * from './sim-wire.js';
export * from './sim-swo.js';
export * from './sim-bit-wire.js';
