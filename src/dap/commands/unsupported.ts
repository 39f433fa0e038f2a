// Commands of the specification that this device does not implement (JTAG), or not on
// this connection (SWO without a capture on the wire, UART without a UART; DAP_Info's
// capabilities say so). Each is still parsed to its full length, so it
// can sit inside DAP_ExecuteCommands, and answered in its own response format with an
// error status and zero counts.
import { Cmd, DAP_ERROR, SeqInfo } from '../protocol.js';
import type { PacketReader } from '../packet-reader.js';
import { fixedReply, type ParsedCommand } from '../command.js';

const E = DAP_ERROR;

export function parseUnsupported(id: number, r: PacketReader): ParsedCommand | null {
  switch (id) {
    case Cmd.JtagSequence: {
      const count = r.u8('sequence count');
      for (let i = 0; i < count; i++) {
        const bits = r.u8(`sequence ${i} info`) & SeqInfo.COUNT_MASK || 64;
        r.bytes((bits + 7) >>> 3, `sequence ${i} TDI data`);
      }
      return fixedReply([id, E]);
    }
    case Cmd.JtagConfigure: {
      const count = r.u8('device count');
      r.bytes(count, 'IR lengths');
      return fixedReply([id, E]);
    }
    case Cmd.JtagIdcode:
      r.u8('JTAG index');
      return fixedReply([id, E, 0, 0, 0, 0]);
    case Cmd.SwoTransport:
    case Cmd.SwoMode:
    case Cmd.SwoControl:
    case Cmd.UartTransport:
    case Cmd.UartControl:
      r.u8('parameter');
      return fixedReply([id, E]);
    case Cmd.SwoBaudrate:
      r.u32('baudrate');
      return fixedReply([id, 0, 0, 0, 0]); // actual baudrate 0: not supported
    case Cmd.SwoStatus:
      return fixedReply([id, 0, 0, 0, 0, 0]); // trace inactive, nothing captured
    case Cmd.SwoExtendedStatus:
      r.u8('control');
      return fixedReply([id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    case Cmd.SwoData:
      r.u16('count');
      return fixedReply([id, 0, 0, 0]);
    case Cmd.UartConfigure:
      r.u8('control');
      r.u32('baudrate');
      return fixedReply([id, 0x07, 0, 0, 0, 0]); // all configuration errors, baudrate 0
    case Cmd.UartTransfer: {
      r.u16('RX count');
      const tx = r.u16('TX count');
      r.bytes(tx, 'transmit data');
      return fixedReply([id, 0, 0, 0, 0, 0]); // receive/transmit disabled, nothing moved
    }
    case Cmd.UartStatus:
      return fixedReply([id, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    default:
      return null;
  }
}
