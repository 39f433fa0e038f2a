// CMSIS-DAP v2.1 protocol numbers (Arm's CMSIS-DAP specification, "CMSIS-DAP Commands"):
// command IDs, DAP_Info IDs, status values and the bits of transfer requests/responses.
// Both the command processor and tsprobe's own CMSIS-DAP wire client read them from here.

export const Cmd = {
  Info: 0x00,
  HostStatus: 0x01,
  Connect: 0x02,
  Disconnect: 0x03,
  TransferConfigure: 0x04,
  Transfer: 0x05,
  TransferBlock: 0x06,
  TransferAbort: 0x07,
  WriteAbort: 0x08,
  Delay: 0x09,
  ResetTarget: 0x0a,
  SwjPins: 0x10,
  SwjClock: 0x11,
  SwjSequence: 0x12,
  SwdConfigure: 0x13,
  JtagSequence: 0x14,
  JtagConfigure: 0x15,
  JtagIdcode: 0x16,
  SwoTransport: 0x17,
  SwoMode: 0x18,
  SwoBaudrate: 0x19,
  SwoControl: 0x1a,
  SwoStatus: 0x1b,
  SwoData: 0x1c,
  SwdSequence: 0x1d,
  SwoExtendedStatus: 0x1e,
  UartTransport: 0x1f,
  UartConfigure: 0x20,
  UartTransfer: 0x21,
  UartControl: 0x22,
  UartStatus: 0x23,
  QueueCommands: 0x7e,
  ExecuteCommands: 0x7f,
  VendorFirst: 0x80,
  VendorLast: 0x9f,
  /** The reply to a command the device does not know. */
  Invalid: 0xff,
} as const;

export const InfoId = {
  Vendor: 0x01,
  Product: 0x02,
  SerialNumber: 0x03,
  ProtocolVersion: 0x04,
  DeviceVendor: 0x05,
  DeviceName: 0x06,
  BoardVendor: 0x07,
  BoardName: 0x08,
  FirmwareVersion: 0x09,
  Capabilities: 0xf0,
  TimestampClock: 0xf1,
  UartRxBufferSize: 0xfb,
  UartTxBufferSize: 0xfc,
  SwoBufferSize: 0xfd,
  PacketCount: 0xfe,
  PacketSize: 0xff,
} as const;

/** DAP_Info capabilities, first byte. */
export const Cap = {
  SWD: 0x01,
  JTAG: 0x02,
  SWO_UART: 0x04,
  SWO_MANCHESTER: 0x08,
  ATOMIC: 0x10,
  TIMESTAMP: 0x20,
  SWO_STREAM: 0x40,
  UART_DAP: 0x80,
} as const;

export const DAP_OK = 0x00;
export const DAP_ERROR = 0xff;

/** DAP_Connect ports. */
export const Port = { Default: 0, SWD: 1, JTAG: 2 } as const;

/** Bits of one DAP_Transfer request byte. */
export const Req = {
  APnDP: 0x01,
  RnW: 0x02,
  A2: 0x04,
  A3: 0x08,
  MATCH_VALUE: 0x10,
  MATCH_MASK: 0x20,
  TIMESTAMP: 0x80,
} as const;

/** DAP_Transfer / DAP_TransferBlock response byte. */
export const Resp = {
  OK: 0x01,
  WAIT: 0x02,
  FAULT: 0x04,
  /** No acknowledge: the line stays high, so the three ACK bits read 0b111. */
  NO_ACK: 0x07,
  /** SWD protocol error (parity) */
  ERROR: 0x08,
  MISMATCH: 0x10,
} as const;

/** DAP_SWJ_Pins bits. */
export const Pin = {
  SWCLK_TCK: 0x01,
  SWDIO_TMS: 0x02,
  TDI: 0x04,
  TDO: 0x08,
  nTRST: 0x20,
  nRESET: 0x80,
} as const;

/** DAP_SWD_Sequence / DAP_JTAG_Sequence info byte. */
export const SeqInfo = {
  COUNT_MASK: 0x3f,
  SWD_INPUT: 0x80,
  JTAG_TMS: 0x40,
  JTAG_TDO_CAPTURE: 0x80,
} as const;
