// AP discovery: read IDR of AP 0, 1, ... until an IDR of zero (ADIv5.2 C1.2).
import { AP_ADDR, IDR, AP_CLASS_MEM, AP_TYPE } from '../arch/ap.js';
import type { Dap } from './dap.js';

export interface ApInfo {
  apsel: number;
  idr: number;
  isMemAp: boolean;
  /** 'AHB-AP', 'APB-AP', 'AXI-AP', 'JTAG-AP' or 'AP'. */
  kind: string;
}

const TYPE_NAMES: Record<number, string> = { [AP_TYPE.AHB3]: 'AHB-AP', [AP_TYPE.AHB5]: 'AHB5-AP', [AP_TYPE.APB2_3]: 'APB-AP', [AP_TYPE.AXI]: 'AXI-AP' };

export async function discoverAps(dap: Dap, max = 8): Promise<ApInfo[]> {
  const b = dap.batch();
  const reads = Array.from({ length: max }, (_, i) => b.apRead(i, AP_ADDR.IDR));
  await b.run();
  const out: ApInfo[] = [];
  for (let i = 0; i < max; i++) {
    const idr = reads[i].value;
    if (idr === 0) break;
    const cls = (idr & IDR.fields.CLASS.mask) >>> IDR.fields.CLASS.lsb;
    const type = idr & 0xf;
    const isMemAp = cls === AP_CLASS_MEM;
    out.push({ apsel: i, idr, isMemAp, kind: isMemAp ? TYPE_NAMES[type] ?? 'MEM-AP' : type === 0 ? 'JTAG-AP' : 'AP' });
  }
  return out;
}
