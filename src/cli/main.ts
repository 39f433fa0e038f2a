#!/usr/bin/env node
// The tsprobe command: a thin registry. Each subcommand lives in its own file
// under src/cli/commands and exports a register function; add yours to the list.
import { Command } from 'commander';
import { registerSim } from './commands/sim.js';
import { registerDebug } from './commands/debug.js';
import { registerDap } from './commands/dap.js';
import { registerHidBridge } from './commands/hid-bridge.js';
import { registerGdb } from './commands/gdb.js';
import { registerRun } from './commands/run.js';
import { registerRepl } from './commands/repl.js';
import { registerServe } from './commands/serve.js';
import { registerInit } from './commands/init.js';
import { registerList } from './commands/list.js';
import { registerFlash } from './commands/flash.js';

const subcommands: ((program: Command) => void)[] = [
  registerSim,
  registerDebug,
  registerDap,
  registerHidBridge,
  registerGdb,
  registerRun,
  registerRepl,
  registerServe,
  registerInit,
  registerList,
  registerFlash,
];

const program = new Command();
program.name('tsprobe').description('Debug probe for ARM Cortex-M, with simulated targets').version('0.1.0');
for (const register of subcommands) register(program);
await program.parseAsync(process.argv);
