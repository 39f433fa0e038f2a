// A bit-banging SWD host for tests: drives the simulated SWJ port one clock at a time,
// as a probe's pins would, so the tests exercise the packet format itself.
import type { SwjPort } from '../../../src/sim/debug/swj-port.js';

export const ACK_OK = 0b001;
export const ACK_WAIT = 0b010;
export const ACK_FAULT = 0b100;
export const ACK_NONE = 0b111;

const parity = (v: number): number => {
  let p = 0;
  for (let i = 0; i < 32; i++) p ^= (v >>> i) & 1;
  return p;
};

export function drive(swj: SwjPort, value: number | bigint, bits: number): void {
  let v = BigInt(value);
  for (let i = 0; i < bits; i++) {
    swj.clock(Number(v & 1n) as 0 | 1);
    v >>= 1n;
  }
}

export function lineReset(swj: SwjPort): void {
  drive(swj, (1n << 56n) - 1n, 56);
  drive(swj, 0, 4);
}

/** Line reset, JTAG-to-SWD, line reset, idle. */
export function jtagToSwd(swj: SwjPort): void {
  drive(swj, (1n << 56n) - 1n, 56);
  drive(swj, 0xe79e, 16);
  lineReset(swj);
}

export interface PacketResult {
  ack: number;
  data: number;
  parityOk: boolean;
}

/** One SWD packet; `badHeaderParity`/`badDataParity` corrupt what the host sends. */
export function packet(swj: SwjPort, apndp: number, rnw: number, a: number, wdata = 0, opts: { badHeaderParity?: boolean; badDataParity?: boolean; trn?: number } = {}): PacketResult {
  const a2 = (a >>> 2) & 1;
  const a3 = (a >>> 3) & 1;
  let p = apndp ^ rnw ^ a2 ^ a3;
  if (opts.badHeaderParity) p ^= 1;
  const header = 1 | (apndp << 1) | (rnw << 2) | (a2 << 3) | (a3 << 4) | (p << 5) | (0 << 6) | (1 << 7);
  drive(swj, header, 8);
  const trn = opts.trn ?? 1;
  for (let i = 0; i < trn; i++) swj.clock(undefined);
  let ack = 0;
  for (let i = 0; i < 3; i++) ack |= (swj.clock(undefined) ?? 1) << i;
  let data = 0;
  let parityOk = true;
  if (ack === ACK_OK && rnw) {
    for (let i = 0; i < 32; i++) data |= (swj.clock(undefined) ?? 1) << i;
    const pb = swj.clock(undefined) ?? 1;
    parityOk = pb === parity(data);
    for (let i = 0; i < trn; i++) swj.clock(undefined);
  } else if (ack === ACK_OK) {
    for (let i = 0; i < trn; i++) swj.clock(undefined);
    drive(swj, wdata >>> 0, 32);
    drive(swj, parity(wdata) ^ (opts.badDataParity ? 1 : 0), 1);
  } else {
    for (let i = 0; i < trn; i++) swj.clock(undefined);
  }
  drive(swj, 0, 2); // idle cycles
  return { ack, data: data >>> 0, parityOk };
}
