// UART COM commands over DAP (CMSIS-DAP v2.1): DAP_UART_Transport, _Configure, _Control,
// _Status and _Transfer, on the device's UART when it has one (the target's console UART).
import { Cmd, DAP_ERROR, DAP_OK } from '../protocol.js';
import type { PacketReader } from '../packet-reader.js';
import type { DapContext, ParsedCommand } from '../command.js';
import type { DapUart } from '../uart-link.js';

const ready = (u: DapUart) => u.transport === 2;

export function parseUartCommand(id: number, r: PacketReader, uart: DapUart, ctx: DapContext): ParsedCommand | null {
  switch (id) {
    case Cmd.UartTransport: {
      const t = r.u8('transport');
      return {
        maxResponse: 2,
        run: (_c, w) => void w.u8(id).u8(uart.setTransport(t) ? DAP_OK : DAP_ERROR),
      };
    }
    case Cmd.UartConfigure: {
      const control = r.u8('control');
      const baud = r.u32('baudrate');
      return {
        maxResponse: 6,
        run(_c, w) {
          // The simulated line is 8N1 at any rate: other frame formats are errors.
          let status = 0;
          if ((control & 0x0f) !== 0) status |= 0x01;
          if ((control & 0x30) !== 0) status |= 0x02;
          if ((control & 0xc0) !== 0) status |= 0x04;
          if (!ready(uart)) status = 0x07;
          const ok = status === 0 && baud > 0;
          if (ok) {
            uart.configured = true;
            uart.baudrate = baud;
          }
          w.u8(id).u8(status).u32(ok ? baud : 0);
        },
      };
    }
    case Cmd.UartControl: {
      const control = r.u8('control');
      return {
        maxResponse: 2,
        run(_c, w) {
          if (!ready(uart)) {
            w.u8(id).u8(DAP_ERROR);
            return;
          }
          if (control & 0x02) uart.enableRx(false);
          else if (control & 0x01) {
            if (!uart.configured) {
              w.u8(id).u8(DAP_ERROR);
              return;
            }
            uart.enableRx(true);
          }
          if (control & 0x04) uart.flushRx();
          if (control & 0x20) uart.txEnabled = false;
          else if (control & 0x10) {
            if (!uart.configured) {
              w.u8(id).u8(DAP_ERROR);
              return;
            }
            uart.txEnabled = true;
          }
          // Transmit flush: nothing is ever held back (bytes go to the target at once).
          w.u8(id).u8(DAP_OK);
        },
      };
    }
    case Cmd.UartStatus:
      return {
        maxResponse: 10,
        run: (_c, w) => void w.u8(id).u8(uart.status()).u32(uart.rxAvailable).u32(0),
      };
    case Cmd.UartTransfer: {
      const rxMax = r.u16('RX count');
      const txCount = r.u16('TX count');
      const tx = r.bytes(txCount, 'transmit data').slice();
      // Received data is limited by what fits in the response packet.
      const room = Math.max(0, Math.min(rxMax, ctx.config.packetSize - 6));
      return {
        maxResponse: 6 + room,
        run(_c, w) {
          let accepted = 0;
          if (ready(uart) && uart.txEnabled && tx.length > 0) {
            uart.link.send(tx);
            accepted = tx.length;
          }
          const data = ready(uart) && uart.rxEnabled ? uart.take(room) : new Uint8Array(0);
          w.u8(id).u8(uart.status()).u16(accepted).u16(data.length).bytes(data);
        },
      };
    }
    default:
      return null;
  }
}
