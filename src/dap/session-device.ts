// tsprobe's CMSIS-DAP device on a probe session: a connected host takes the session's
// wire exclusively (the other faces get "probe busy") and gets a fresh processor; when it
// goes, nRST is released if it left it asserted and the wire is free again.
import type { ProbeSession } from '../probe/session.js';
import type { DebugWire } from '../wire/debug-wire.js';
import { SimBitWire } from '../wire/sim-bit-wire.js';
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
  const uart = session.simBoard?.uarts[0];
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

/** Which wire the device drives: register-level transfers, or SWD packets clocked bit by bit. */
export type DapWireLevel = 'register' | 'bit';

/**
 * The simulated SWJ pins clocked one cycle at a time (SimBitWire), for an owner that holds
 * the session exclusively: every packet crosses the simulated SWD wire as bits. Like the
 * session's own wires it wakes the run loop after each operation.
 */
function bitLevelWire(session: ProbeSession, owner: string): DebugWire {
  // The SWO pin is not part of SWD: the session's (arbitrated) capture serves both levels.
  const swo = session.wireFor(owner).swo;
  const bits = new SimBitWire(session.debug.swj, `${session.description} (SWD bit level)`, (asserted) => session.debug.setNrst(asserted));
  const after = <T>(v: T): T => {
    session.wake();
    return v;
  };
  return {
    description: bits.description,
    configure: (o) => bits.configure(o),
    transfer: async (batch) => after(await bits.transfer(batch)),
    transferBlock: async (req, count, data) => after(await bits.transferBlock(req, count, data)),
    swjSequence: async (n, data) => after(await bits.swjSequence(n, data)),
    swdSequence: async (steps) => after(await bits.swdSequence(steps)),
    setReset: async (asserted) => after(await bits.setReset(asserted)),
    setClock: () => bits.setClock(),
    ...(swo ? { swo } : {}),
    close: () => bits.close(),
  };
}

export function sessionDapAttach(
  session: ProbeSession,
  config: Partial<DapDeviceConfig>,
  log?: (line: string) => void,
  wireLevel: DapWireLevel = 'register',
): (owner: string) => DapHostAttachment {
  return (owner) => {
    session.acquireExclusive(owner); // throws ProbeBusyError when someone else holds it
    const wire = wireLevel === 'bit' ? bitLevelWire(session, owner) : session.wireFor(owner);
    const name = session.simBoard?.name ?? session.description; // a real probe: proxy mode
    const processor = new DapProcessor(wire, { boardName: name, deviceName: name, ...config }, { log, uart: sessionUartLink(session) });
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
