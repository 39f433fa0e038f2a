// Pin and sequence commands: DAP_SWJ_Pins, DAP_SWJ_Clock, DAP_SWJ_Sequence,
// DAP_SWD_Configure and DAP_SWD_Sequence.
import type { SwdSequenceStep } from '../../wire/debug-wire.js';
import { Cmd, DAP_ERROR, DAP_OK, Pin, Port, SeqInfo } from '../protocol.js';
import type { PacketReader } from '../packet-reader.js';
import { fixedReply, type DapContext, type ParsedCommand } from '../command.js';
import { delayMicroseconds } from './general.js';

/** The pin levels the device reads back: what it drives, TDO pulled up. */
export function pinInputs(ctx: DapContext): number {
  return (ctx.state.pins | Pin.TDO) & 0xff;
}

export function parseSwjPins(r: PacketReader): ParsedCommand {
  const output = r.u8('pin output');
  const select = r.u8('pin select');
  const waitUs = r.u32('pin wait');
  return {
    maxResponse: 2,
    async run(ctx, w) {
      const st = ctx.state;
      const before = st.pins;
      st.pins = ((st.pins & ~select) | (output & select)) & 0xff;
      if (select & Pin.nRESET && (before ^ st.pins) & Pin.nRESET) {
        try {
          await ctx.wire.setReset((st.pins & Pin.nRESET) === 0);
        } catch {
          /* the pin still reads back as driven; the next transfer reports what went wrong */
        }
      }
      // Pin wait: every pin here reads back what the device drives, so the wait ends at
      // once unless a selected pin is one the device cannot drive (TDO).
      if (waitUs > 0 && select & Pin.TDO && !(output & Pin.TDO)) await delayMicroseconds(Math.min(waitUs, 3_000_000));
      w.u8(Cmd.SwjPins).u8(pinInputs(ctx));
    },
  };
}

export function parseSwjClock(r: PacketReader): ParsedCommand {
  const hz = r.u32('clock');
  return {
    maxResponse: 2,
    async run(ctx, w) {
      if (hz === 0) {
        w.u8(Cmd.SwjClock).u8(DAP_ERROR);
        return;
      }
      ctx.state.clockHz = hz;
      await ctx.wire.setClock(hz);
      w.u8(Cmd.SwjClock).u8(DAP_OK);
    },
  };
}

export function parseSwjSequence(r: PacketReader): ParsedCommand {
  const n = r.u8('bit count') || 256;
  const data = r.bytes((n + 7) >>> 3, `${n} bits of sequence data`).slice();
  return {
    maxResponse: 2,
    async run(ctx, w) {
      await ctx.wire.swjSequence(n, data);
      // SWDIO/TMS stays at the level of the last bit: DAP_SWJ_Pins reads it back.
      const last = (data[(n - 1) >>> 3] >>> ((n - 1) & 7)) & 1;
      ctx.state.pins = last ? ctx.state.pins | Pin.SWDIO_TMS : ctx.state.pins & ~Pin.SWDIO_TMS;
      w.u8(Cmd.SwjSequence).u8(DAP_OK);
    },
  };
}

export function parseSwdConfigure(r: PacketReader): ParsedCommand {
  const cfg = r.u8('configuration');
  return fixedReply([Cmd.SwdConfigure, DAP_OK], (ctx) => {
    ctx.state.swdTurnaround = (cfg & 3) + 1;
    ctx.state.swdDataPhase = (cfg & 4) !== 0;
  });
}

export function parseSwdSequence(r: PacketReader): ParsedCommand {
  const count = r.u8('sequence count');
  const steps: SwdSequenceStep[] = [];
  let captureBytes = 0;
  for (let i = 0; i < count; i++) {
    const info = r.u8(`sequence ${i} info`);
    const bits = info & SeqInfo.COUNT_MASK || 64;
    const nbytes = (bits + 7) >>> 3;
    if (info & SeqInfo.SWD_INPUT) {
      steps.push({ capture: true, bits });
      captureBytes += nbytes;
    } else {
      steps.push({ out: r.bytes(nbytes, `sequence ${i} data`).slice(), bits });
    }
  }
  return {
    maxResponse: 2 + captureBytes,
    async run(ctx, w) {
      if (ctx.state.port !== Port.SWD) {
        w.u8(Cmd.SwdSequence).u8(DAP_ERROR);
        return;
      }
      const captured = await ctx.wire.swdSequence(steps);
      w.u8(Cmd.SwdSequence).u8(DAP_OK);
      for (const c of captured) w.bytes(c);
    },
  };
}
