// `tsprobe repl [--python]`: an interactive prompt on the target. JavaScript (default):
// node's REPL with top-level await, the target as `target` (`await target.read32(0x20000000)`,
// `await target.mem32[0x20000000]`), completion of the API and a history file in the
// configuration directory. `--python`: MicroPython's own REPL with the `target`, `bmp`
// and `dap` modules.
import repl from 'node:repl';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { ScriptHost } from '../../script/script-host.js';
import { historyFile } from '../../config/config.js';
import { runAction } from '../errors.js';
import { openScriptHost, type OpenScriptOptions } from './run.js';
import { addProbeOptions, TARGET_HELP } from '../../probe/cli-options.js';
import { exitWhenFlushed } from '../exit.js';

/** The JavaScript REPL on a host; resolves when the user leaves it (.exit, Ctrl-D). */
export function jsRepl(host: ScriptHost, io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; history?: string; terminal?: boolean } = { input: process.stdin, output: process.stdout }): Promise<void> {
  return new Promise((resolve) => {
    const server = repl.start({ prompt: 'tsprobe> ', input: io.input, output: io.output, useGlobal: false, terminal: io.terminal ?? (io.output as NodeJS.WriteStream).isTTY ?? false });
    Object.assign(server.context, host.jsContext);
    for (const k of Object.keys(host.jsContext)) server.context[k] = host.jsContext[k];
    if (io.history) {
      try {
        mkdirSync(dirname(io.history), { recursive: true });
        server.setupHistory(io.history, () => undefined);
      } catch {
        // no history when the configuration directory is not writable
      }
    }
    io.output.write(`target: ${host.target.info().core} on ${host.target.session.description}; try: await target.regs(), await target.mem32[0x20000000], target.info()\n`);
    server.on('exit', () => resolve());
  });
}

/** MicroPython's REPL on a host, in raw terminal mode; resolves on Ctrl-D. */
export async function pythonRepl(host: ScriptHost): Promise<void> {
  const py = await host.pythonRuntime();
  const stdin = process.stdin;
  await new Promise<void>((resolve) => {
    py.onReplExit = () => resolve();
    if (stdin.isTTY) stdin.setRawMode(true);
    const onData = (d: Buffer) => {
      if (d.includes(3)) void py.interrupt();
      const bytes = new Uint8Array(d);
      // Piped input: lines end in \n, MicroPython's REPL takes \r as Enter.
      if (!stdin.isTTY) for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) bytes[i] = 13;
      py.replInput(bytes);
    };
    stdin.on('data', onData);
    // End of piped input: Ctrl-D leaves the REPL once everything before it has run.
    stdin.once('end', () => py.replInput(Uint8Array.of(13, 4)));
    py.replStart();
  });
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
}

export function registerRepl(program: Command): void {
  addProbeOptions(program
    .command('repl')
    .description('interactive JavaScript (top-level await) or --python MicroPython prompt on the target')
    .option('--python', "MicroPython's REPL with the target, bmp and dap modules")
    .option('-t, --target <spec>', TARGET_HELP)
    .option('--load <elf>', 'write this firmware through the debug port first and stop at its reset vector'))
    .action(async (opts: OpenScriptOptions & { python?: boolean }) => {
      await runAction(async () => {
        const host = await openScriptHost(opts);
        try {
          if (opts.python) await pythonRepl(host);
          else await jsRepl(host, { input: process.stdin, output: process.stdout, history: historyFile('js') });
        } finally {
          await host.close();
        }
      });
      exitWhenFlushed(process.exitCode ?? 0);
    });
}
