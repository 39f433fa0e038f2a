// `tsprobe flash FILE [--addr A] [--verify] [--reset] [--erase-all]`: program an ELF,
// Intel HEX or raw binary image into the target's flash. Connects, detects the chip (its
// flash driver), halts the core through a reset, erases the sectors the image touches
// (or all flash), programs, optionally reads back and compares, then leaves the core
// halted, or resets it and lets it run with --reset.
import type { Command } from 'commander';
import { addProbeOptions, openTargetFor, TARGET_HELP } from '../../probe/cli-options.js';
import type { ProbeSession } from '../../probe/session.js';
import { connectCortexM } from '../../cortexm/connect.js';
import { CortexMError } from '../../cortexm/cortex-m.js';
import { AdiError } from '../../adi/errors.js';
import { detectTarget } from '../../targets/registry.js';
import { FlashError, type FlashRegion } from '../../targets/flash.js';
import { programImage } from '../../targets/flash-loader.js';
import { detectFormat, parseImage, describeImage, imageSize, ImageError, type Image, type ImageFormat } from '../../image/image.js';
import { ElfError } from '../../image/elf.js';
import { PhaseProgress, formatBytes, formatRate, formatSeconds } from '../progress.js';
import { UserError, runAction, describeFsError } from '../errors.js';
import { readFileSync } from 'node:fs';
import { exitWhenFlushed } from '../exit.js';

export interface FlashCommandOptions {
  target?: string;
  probe?: string;
  frequency?: string;
  addr?: string;
  format?: string;
  verify?: boolean;
  reset?: boolean;
  eraseAll?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

function parseAddress(text: string): number {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t) || Number(t) > 0xffffffff) throw new UserError(`--addr ${text}: expected an address such as 0x08000000`);
  return Number(t) >>> 0;
}

function parseFormat(text: string | undefined): ImageFormat | undefined {
  if (text === undefined) return undefined;
  const f = ({ elf: 'elf', hex: 'ihex', ihex: 'ihex', bin: 'bin', binary: 'bin' } as Record<string, ImageFormat>)[text.toLowerCase()];
  if (!f) throw new UserError(`--format ${text}: use elf, hex or bin`);
  return f;
}

/** Every byte of the image must be in one of the flash regions; else a user error naming the part outside. */
export function checkInsideFlash(image: Image, regions: readonly FlashRegion[], chip: string): void {
  const sorted = [...regions].sort((a, b) => a.start - b.start);
  const ranges = sorted.map((r) => `${hex(r.start)}-${hex(r.start + r.length - 1)}`).join(', ');
  for (const s of image.segments) {
    let at = s.address;
    const end = s.address + s.data.length;
    while (at < end) {
      const r = sorted.find((x) => at >= x.start && at < x.start + x.length);
      if (!r) {
        const next = sorted.find((x) => x.start > at);
        const outEnd = Math.min(end, next ? next.start : end);
        throw new UserError(
          `${image.file}: ${hex(at)}-${hex(outEnd - 1)} is outside flash (${chip} flash: ${ranges}); ` +
            (image.format === 'bin' ? 'give the flash address with --addr' : 'link the image for this chip\'s flash, or load RAM contents with tsprobe gdb/run'),
        );
      }
      at = Math.min(end, r.start + r.length);
    }
  }
}

export async function flashCommand(file: string, opts: FlashCommandOptions): Promise<number> {
  const format = parseFormat(opts.format);
  const addr = opts.addr !== undefined ? parseAddress(opts.addr) : undefined;
  // Read and check the file before touching the target: a bad image costs nothing.
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${describeFsError(e)}`);
  }
  const fmt = format ?? detectFormat(bytes, file);
  // A raw binary without --addr goes to the flash start, known after detection.
  let image: Image | undefined = fmt === 'bin' && addr === undefined ? undefined : parseImage(bytes, file, { addr, format: fmt });

  const log = (m: string) => {
    if (!opts.quiet) process.stderr.write(`tsprobe: ${m}\n`);
  };
  const session: ProbeSession = await openTargetFor(opts, { log }, (m) => new UserError(m));
  try {
    const conn = await connectCortexM(session.wireFor('flash'));
    const info = await detectTarget(conn);
    const flash = info.flash;
    if (!flash) throw new UserError(`no flash driver for ${info.description} (on ${session.description}); tsprobe flashes STM32H7 parts`);
    const flashStart = Math.min(...flash.regions.map((r) => r.start));
    image ??= parseImage(bytes, file, { format: fmt, defaultAddr: flashStart });
    checkInsideFlash(image, flash.regions, info.chip);
    log(`${info.description}; ${describeImage(image)}`);

    // Halted from its reset vector, so no firmware is running (and writing) during the erase.
    await conn.core.reset({ halt: true });
    await conn.core.haltReason();

    const progress = new PhaseProgress(process.stderr, { tty: opts.progress !== false && !!process.stderr.isTTY, quiet: opts.quiet, columns: process.stderr.columns });
    const t0 = performance.now();
    let result;
    try {
      result = await programImage(conn.mem, flash, image.segments, {
        verify: !!opts.verify,
        eraseAll: !!opts.eraseAll,
        progress: (phase, done, total) => progress.update(phase, done, total),
      });
      progress.end();
    } catch (e) {
      progress.end(true);
      throw e;
    } finally {
      await flash.done().catch(() => undefined);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (opts.reset) await conn.core.reset({ halt: false });
    const size = imageSize(image.segments);
    const parts = [`erased ${formatBytes(result.erasedBytes)}`, `programmed ${formatBytes(result.programmedBytes)}`];
    if (opts.verify) parts.push(`verified ${formatBytes(result.verifiedBytes)}`);
    process.stdout.write(
      `${file}: ${size} bytes flashed to ${info.chip} (${parts.join(', ')}) in ${formatSeconds(seconds)} (${formatRate(size, seconds)}); ` +
        `${opts.reset ? 'reset, running' : 'core halted'}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof FlashError) throw new UserError(`flash: ${e.message}${e.flags.length && !e.flags.every((f) => e.message.includes(f)) ? ` (${e.flags.join(', ')})` : ''}`, 1);
    throw e;
  } finally {
    await session.close();
  }
}

export function registerFlash(program: Command): void {
  addProbeOptions(program
    .command('flash')
    .description('program an image (ELF, Intel HEX or raw .bin) into the target\'s flash')
    .argument('<file>', 'the image: .elf (load addresses), .hex (Intel HEX) or .bin (at --addr, default the flash start)')
    .option('-t, --target <spec>', TARGET_HELP)
    .option('--addr <address>', 'where a raw binary goes (default: the start of flash)')
    .option('--format <format>', 'elf, hex or bin (default: from the file\'s magic and extension)')
    .option('--verify', 'read the flash back and compare with the image')
    .option('--reset', 'reset the target and let it run afterwards (default: leave it halted)')
    .option('--erase-all', 'erase all flash first (mass erase), not only the sectors the image touches')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('-q, --quiet', 'only the summary line'))
    .action(async (file: string, opts: FlashCommandOptions) => {
      await runAction(async () => {
        try {
          return await flashCommand(file, opts);
        } catch (e) {
          if (e instanceof ImageError || e instanceof ElfError || e instanceof AdiError || e instanceof CortexMError) throw new UserError(e.message);
          throw e;
        }
      });
      exitWhenFlushed(process.exitCode ?? 0);
    });
}
