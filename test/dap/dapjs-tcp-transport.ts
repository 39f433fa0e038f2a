// A dapjs Transport over tsprobe's CMSIS-DAP TCP framing: dapjs (Arm's TypeScript
// CMSIS-DAP host, npm dapjs 2.3.0) writes a command and reads its response; we carry
// each as one frame. This is all of "our" code on the host side: everything above it is
// dapjs's own.
import type { Transport } from 'dapjs';
import { DapTcpClient } from '../../src/dap/tcp-client.js';

export class DapjsTcpTransport implements Transport {
  private client: DapTcpClient | null = null;

  constructor(
    private readonly port: number,
    readonly packetSize: number,
    private readonly host = '127.0.0.1',
  ) {}

  async open(): Promise<void> {
    if (!this.client) this.client = await DapTcpClient.open(this.port, this.host);
  }

  async close(): Promise<void> {
    this.client?.close();
    this.client = null;
  }

  async read(): Promise<DataView> {
    if (!this.client) throw new Error('transport not open');
    const payload = await this.client.receive();
    // dapjs reads through `view.buffer` from offset 0: hand it a buffer of its own.
    const copy = new Uint8Array(payload.length);
    copy.set(payload);
    return new DataView(copy.buffer);
  }

  async write(data: BufferSource): Promise<void> {
    if (!this.client) throw new Error('transport not open');
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    this.client.send(bytes.slice());
  }
}
