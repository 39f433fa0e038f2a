// The simulated debug port of a Cortex-M board: attachDebug(board) gives it an SWJ-DP
// (register level: SwDp; pins: SwjPort), an AHB-AP, ROM tables, FPB, DWT, ITM, TPIU, the
// SWO pin and the halting debug registers.
export * from './access-port.js';
export * from './sw-dp.js';
export * from './swj-port.js';
export * from './mem-ap.js';
export * from './rom-table.js';
export * from './component-id.js';
export * from './fpb.js';
export * from './dwt.js';
export * from './itm.js';
export * from './tpiu.js';
export * from './swo-pin.js';
export * from './halting-debug.js';
export * from './debug-core.js';
export * from './debug-system.js';
