#!/usr/bin/env node
// The tsprobe command. Subcommands live in their own files under src/cli/commands.
import { Command } from 'commander';

const program = new Command();
program.name('tsprobe').description('Debug probe for ARM Cortex-M, with simulated targets').version('0.1.0');
await program.parseAsync(process.argv);
