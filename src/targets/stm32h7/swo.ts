// The STM32H7's SWO path (RM0433; OpenOCD's target/stm32h7x.cfg sets up the same): the
// Cortex-M7's ITM trace goes through the SWO trace funnel (SWTF, 0xE00E4000) to the SWO
// unit (a TPIU-like block, 0xE00E3000), both on the debug APB behind access port 2; the
// trace clock is DBGMCU_CR.TRACECLKEN. The core's own TPIU at 0xE0040000 drives nothing.
import { MemAccessPort } from '../../adi/mem-ap.js';
import type { Connection } from '../../cortexm/connect.js';
import type { SwoRoute } from '../target-info.js';

/** DBGMCU_CR as the core sees it. */
const DBGMCU_CR = 0x5c001004;
/** TRACECLKEN (bit 20), D1DBGCKEN (21), D3DBGCKEN (22): the trace clock and the debug APB's clocks. */
const DBGMCU_CR_TRACE = 0x00700000;
/** The access port of the debug APB (APB-D). */
const APB_D_AP = 2;
const SWO_UNIT = 0xe00e3000;
const SWTF_CTRL = 0xe00e4000;
/** SWTF_CTRL.ENS0 | ENS1: the funnel's inputs from the Cortex-M7 (and the M4 of dual-core parts). */
const SWTF_ENABLE = 0x3;

export const stm32h7Swo: SwoRoute = {
  description: 'SWO unit at 0xE00E3000 on AP2 (APB-D), through the SWTF funnel; DBGMCU_CR.TRACECLKEN',
  async prepare(conn: Connection) {
    const cr = await conn.mem.read32(DBGMCU_CR);
    if ((cr & DBGMCU_CR_TRACE) !== DBGMCU_CR_TRACE) await conn.mem.write32(DBGMCU_CR, (cr | DBGMCU_CR_TRACE) >>> 0);
    const apbD = await new MemAccessPort(conn.dap, APB_D_AP).init();
    const ctrl = await apbD.read32(SWTF_CTRL);
    await apbD.write32(SWTF_CTRL, (ctrl | SWTF_ENABLE) >>> 0);
    return { mem: apbD, base: SWO_UNIT };
  },
};
