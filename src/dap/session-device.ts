// tsprobe's CMSIS-DAP device on a probe session: a connected host takes the session's
// wire exclusively (the other faces get "probe busy") and gets a fresh processor; when it
// goes, nRST is released if it left it asserted and the wire is free again.
import type { ProbeSession } from '../probe/session.js';
import type { DapDeviceConfig } from './device-config.js';
import { DapProcessor } from './processor.js';
import type { DapHostAttachment } from './tcp-server.js';
import type { DapUartLink } from './uart-link.js';

/**
 * The probe's UART wired to the simulated board's console UART (UART0): what the target
 * transmits is tapped (whoever else listens still gets it), what the host sends arrives
 * at the target's receiver.
 */
export function sessionUartLink(session: ProbeSession): DapUartLink | undefined {
  const uart = session.board.uarts[0];
  if (!uart) return undefined;
  return {
    send(bytes) {
      uart.input(bytes);
      session.wake(); // a core sleeping in WFI may be waiting for this byte
    },
    listen(onByte) {
      const previous = uart.output;
      const tap = (byte: number) => {
        previous(byte);
        onByte(byte);
      };
      uart.output = tap;
      return () => {
        if (uart.output === tap) uart.output = previous;
      };
    },
  };
}

export function sessionDapAttach(
  session: ProbeSession,
  config: Partial<DapDeviceConfig>,
  log?: (line: string) => void,
): (owner: string) => DapHostAttachment {
  return (owner) => {
    session.acquireExclusive(owner); // throws ProbeBusyError when someone else holds it
    const wire = session.wireFor(owner);
    const processor = new DapProcessor(wire, { boardName: session.board.name, deviceName: session.board.name, ...config }, { log, uart: sessionUartLink(session) });
    return {
      processor,
      async detach() {
        processor.close();
        try {
          if ((processor.state.pins & 0x80) === 0) await wire.setReset(false);
        } finally {
          session.release(owner);
          session.wake();
        }
      },
    };
  };
}
