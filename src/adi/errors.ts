// Errors of the ADI layer. Each names what failed and what to do about it.
import { CTRL_STAT, setFlagNames } from '../arch/index.js';
import type { TransferAck } from '../wire/debug-wire.js';

export class AdiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdiError';
  }
}

/** A DP/AP transfer did not complete. `ctrlStat` is CTRL/STAT as read during recovery. */
export class TransferError extends AdiError {
  constructor(
    readonly what: string,
    readonly ack: TransferAck,
    readonly ctrlStat?: number,
  ) {
    super(`${what} failed: ${describeAck(ack, ctrlStat)}`);
    this.name = 'TransferError';
  }

  get busFault(): boolean {
    return this.ctrlStat !== undefined && (this.ctrlStat & CTRL_STAT.fields.STICKYERR.mask) !== 0;
  }
}

export function describeAck(ack: TransferAck, ctrlStat?: number): string {
  switch (ack) {
    case 'fault': {
      if (ctrlStat === undefined) return 'FAULT';
      const f = CTRL_STAT.fields;
      if (ctrlStat & f.STICKYERR.mask) return 'bus fault (CTRL/STAT.STICKYERR)';
      if (ctrlStat & f.WDATAERR.mask) return 'write data parity error (CTRL/STAT.WDATAERR)';
      if (ctrlStat & f.STICKYORUN.mask) return 'overrun (CTRL/STAT.STICKYORUN)';
      if (ctrlStat & f.STICKYCMP.mask) return 'compare match (CTRL/STAT.STICKYCMP)';
      return `FAULT (CTRL/STAT ${setFlagNames(CTRL_STAT, ctrlStat).join('|') || '0x' + ctrlStat.toString(16)})`;
    }
    case 'wait':
      return 'the target kept answering WAIT (the AP is busy; is the bus stalled or the core clock off?)';
    case 'no-ack':
      return 'no response from the target (not powered, not in SWD mode, or a protocol error; a line reset reconnects)';
    case 'parity-error':
      return 'read data parity error (check the wiring and lower the SWD clock)';
    default:
      return 'OK';
  }
}
