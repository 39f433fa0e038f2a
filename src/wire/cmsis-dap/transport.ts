// How the CMSIS-DAP host reaches a probe: packets out, packets back in order. TCP, USB HID
// (v1) and USB bulk (v2) all fit behind this; the wire above knows nothing else of them.

export interface DapTransport {
  /** For messages: 'tcp://127.0.0.1:4441', 'usb:0d28:0204:ABC (HID)'. */
  readonly description: string;
  /** The largest packet the transport itself carries (a HID report: 64), if it limits it. */
  readonly maxPacketSize?: number;
  /**
   * A network link (TCP): the peer may be tsprobe's own device, so the host may ask for
   * its vendor extensions. Never on USB, where vendor command numbers belong to the
   * probe's firmware (DAPLink uses 0x80-0x8F for its own commands).
   */
  readonly network?: boolean;
  /** Queue one request packet (does not wait for its response). */
  send(packet: Uint8Array): Promise<void>;
  /** The next response packet, in request order. */
  receive(timeoutMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The link to the probe failed (closed, timed out, permission denied): the message says which and what to do. */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

/** How to open a transport again after its link dropped (the wire reconnects once per failure). */
export type TransportOpener = () => Promise<DapTransport>;
