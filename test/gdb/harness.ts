// What the tests that drive gdb-multiarch share: tsprobe servers as processes
// (test/support/tsprobe-server.ts) and the sections of a gdb transcript marked with
// `echo @@NAME@@`.
import assert from 'node:assert/strict';
export { CLI, ROOT, startTsprobe, stopProcess, type TsprobeServer } from '../support/tsprobe-server.js';

/** A gdb command that marks the start of section NAME in the transcript. */
export const mark = (name: string) => `echo @@${name}@@\\n`;

/** The text between `mark(name)` and the next mark in a gdb transcript. */
export function section(out: string, name: string): string {
  const start = out.indexOf(`@@${name}@@`);
  assert.ok(start >= 0, `marker ${name} missing in:\n${out}`);
  const rest = out.slice(start + name.length + 4);
  const end = rest.indexOf('@@');
  return end >= 0 ? rest.slice(0, end) : rest;
}
