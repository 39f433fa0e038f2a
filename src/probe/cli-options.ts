// The options every command that opens a target shares: --target, --probe, --frequency,
// and the one place their errors become user errors.
import type { Command } from 'commander';
import { openTarget, ProbeOpenError, type OpenTargetOptions, type TargetSelection } from './open-target.js';
import type { ProbeSession } from './session.js';
import { DEFAULT_TARGET } from './target-spec.js';

export const TARGET_HELP = `simulated target sim:<board> (default ${DEFAULT_TARGET}, unless exactly one USB CMSIS-DAP probe is attached)`;
export const PROBE_HELP = 'a CMSIS-DAP probe: tcp://HOST:PORT, usb:VID:PID[:SERIAL] or a serial number (see tsprobe list)';

/** Add --probe and --frequency (the command keeps its own --target). */
export function addProbeOptions(c: Command): Command {
  return c.option('--probe <probe>', PROBE_HELP).option('--frequency <hz>', 'SWD clock of a real probe, e.g. 4M, 500k (default 4 MHz)');
}

/** openTarget, with selection errors turned into `wrap` (the CLI's UserError). */
export async function openTargetFor(sel: TargetSelection, opts: OpenTargetOptions, wrap: (message: string) => Error): Promise<ProbeSession> {
  try {
    return await openTarget(sel, opts);
  } catch (e) {
    if (e instanceof ProbeOpenError) throw wrap(e.message);
    throw e;
  }
}
