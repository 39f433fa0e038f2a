// tsprobe's CMSIS-DAP device on a probe session: a connected host takes the session's
// wire exclusively (the other faces get "probe busy") and gets a fresh processor; when it
// goes, nRST is released if it left it asserted and the wire is free again.
import type { ProbeSession } from '../probe/session.js';
import type { DapDeviceConfig } from './device-config.js';
import { DapProcessor } from './processor.js';
import type { DapHostAttachment } from './tcp-server.js';

export function sessionDapAttach(
  session: ProbeSession,
  config: Partial<DapDeviceConfig>,
  log?: (line: string) => void,
): (owner: string) => DapHostAttachment {
  return (owner) => {
    session.acquireExclusive(owner); // throws ProbeBusyError when someone else holds it
    const wire = session.wireFor(owner);
    const processor = new DapProcessor(wire, { boardName: session.board.name, deviceName: session.board.name, ...config }, { log });
    return {
      processor,
      async detach() {
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
