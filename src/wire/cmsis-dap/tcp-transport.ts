// CMSIS-DAP over TCP in the framing of upstream OpenOCD's `cmsis-dap backend tcp`: what
// tsprobe's own `tsprobe dap` serves, so a probe on another machine (or a simulated
// board in another process) is a wire like any USB probe.
import { DapTcpClient } from '../../dap/tcp-client.js';
import { TransportError, type DapTransport } from './transport.js';

export class TcpDapTransport implements DapTransport {
  readonly description: string;

  private constructor(private readonly client: DapTcpClient, host: string, port: number) {
    this.description = `tcp://${host}:${port}`;
  }

  static async open(host: string, port: number, timeoutMs = 5000): Promise<TcpDapTransport> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const client = await Promise.race([
        DapTcpClient.open(port, host),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return new TcpDapTransport(client, host, port);
    } catch (e) {
      throw new TransportError(`cannot connect to the CMSIS-DAP probe at tcp://${host}:${port}: ${(e as Error).message} (is \`tsprobe dap\` or another CMSIS-DAP TCP server listening there?)`);
    } finally {
      clearTimeout(timer);
    }
  }

  async send(packet: Uint8Array): Promise<void> {
    try {
      this.client.send(packet);
    } catch (e) {
      throw new TransportError(`${this.description}: cannot send: ${(e as Error).message}`);
    }
  }

  async receive(timeoutMs: number): Promise<Uint8Array> {
    try {
      return await this.client.receive(timeoutMs);
    } catch (e) {
      throw new TransportError(`CMSIS-DAP probe ${this.description}: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
