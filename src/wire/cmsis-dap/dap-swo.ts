// A CMSIS-DAP probe's SWO capture through its DAP_SWO_* commands (trace read with
// DAP_SWO_Data, CMSIS-DAP v2.1): the host side of what tsprobe's own device serves.
import { Cmd, DAP_OK } from '../../dap/protocol.js';
import { WireError, type SwoCapture, type SwoMode, type SwoRead } from '../debug-wire.js';

/** DAP_SWO_Status / Data trace status bits. */
const ACTIVE = 0x01;
const STREAM_ERROR = 0x40;
const OVERRUN = 0x80;

const u32le = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

export class DapSwoCapture implements SwoCapture {
  constructor(
    /** One command through the wire's queue: request packet in, response packet out. */
    private readonly exchange: (req: Uint8Array) => Promise<Uint8Array>,
    readonly modes: readonly SwoMode[],
    readonly bufferSize: number,
    /** The probe's packet size (limits one DAP_SWO_Data answer). */
    private readonly packetSize: () => number,
    private readonly description: string,
  ) {}

  private async status(req: Uint8Array, what: string): Promise<void> {
    const r = await this.exchange(req);
    if (r[0] !== req[0] || r[1] !== DAP_OK) throw new WireError(`${this.description}: ${what} refused by the probe`);
  }

  async configure(mode: SwoMode, baud: number): Promise<number> {
    if (!this.modes.includes(mode)) throw new WireError(`${this.description}: this probe cannot capture SWO in ${mode} mode (it can: ${this.modes.join(', ') || 'none'})`);
    await this.status(Uint8Array.of(Cmd.SwoTransport, 1), 'DAP_SWO_Transport (trace read through DAP_SWO_Data)');
    await this.status(Uint8Array.of(Cmd.SwoMode, mode === 'uart' ? 1 : 2), `DAP_SWO_Mode ${mode}`);
    const b = baud >>> 0;
    const r = await this.exchange(Uint8Array.of(Cmd.SwoBaudrate, b & 0xff, (b >>> 8) & 0xff, (b >>> 16) & 0xff, b >>> 24));
    if (r[0] !== Cmd.SwoBaudrate || r.length < 5) throw new WireError(`${this.description}: bad answer to DAP_SWO_Baudrate`);
    return u32le(r, 1);
  }

  start(): Promise<void> {
    return this.status(Uint8Array.of(Cmd.SwoControl, 1), 'DAP_SWO_Control start');
  }

  stop(): Promise<void> {
    return this.status(Uint8Array.of(Cmd.SwoControl, 0), 'DAP_SWO_Control stop');
  }

  async read(max: number): Promise<SwoRead> {
    const st = await this.exchange(Uint8Array.of(Cmd.SwoStatus));
    if (st[0] !== Cmd.SwoStatus || st.length < 6) throw new WireError(`${this.description}: bad answer to DAP_SWO_Status`);
    let flags = st[1];
    let pending = u32le(st, 2);
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < max && pending > 0) {
      const want = Math.min(max - got, pending, this.packetSize() - 4, 0xffff);
      const r = await this.exchange(Uint8Array.of(Cmd.SwoData, want & 0xff, want >>> 8));
      if (r[0] !== Cmd.SwoData || r.length < 4) throw new WireError(`${this.description}: bad answer to DAP_SWO_Data`);
      const n = r[2] | (r[3] << 8);
      if (r.length < 4 + n || n > want) throw new WireError(`${this.description}: DAP_SWO_Data answered ${n} bytes for ${want} asked`);
      flags |= r[1];
      if (n === 0) break;
      parts.push(r.slice(4, 4 + n));
      got += n;
      pending -= Math.min(pending, n);
    }
    const data = new Uint8Array(got);
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      o += p.length;
    }
    return { data, active: (flags & ACTIVE) !== 0, pending, overrun: (flags & OVERRUN) !== 0, error: (flags & STREAM_ERROR) !== 0 };
  }
}
