// Ending a command with process.exit() once what it wrote has left: stdout and stderr are
// asynchronous when they are pipes (on Linux), so an exit right after a large write drops
// the rest (`tsprobe run script.py | tee log` lost all but the first 64 KiB).

/** Exit with `code` after stdout and stderr have flushed (at most `graceMs` later if a reader stalls). */
export function exitWhenFlushed(code: number | string, graceMs = 2000): void {
  const status = Number(code) || 0;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(status);
  };
  for (const s of [process.stdout, process.stderr]) {
    if (s.destroyed || !s.writable) done();
    else s.write('', done);
  }
  setTimeout(() => process.exit(status), graceMs).unref();
}
