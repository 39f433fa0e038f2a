// User errors: things the user can fix (a bad file, an unknown board). They are
// printed as one line, "tsprobe: <what>", never with a stack trace. Anything
// else is a bug in tsprobe and keeps its stack.
import { ElfError } from '../image/elf.js';
import { BoardError } from '../sim/boards/board.js';

export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}

/** Error classes from lower layers that are the user's to fix. */
function isUserError(e: unknown): e is Error {
  return e instanceof UserError || e instanceof ElfError || e instanceof BoardError;
}

/** Run a command action; user errors become a one-line message and a nonzero exit status. */
export async function runAction(action: () => Promise<number | void>): Promise<void> {
  try {
    const code = await action();
    if (typeof code === 'number') process.exitCode = code;
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`tsprobe: ${e.message}\n`);
      process.exitCode = e instanceof UserError ? e.exitCode : 2;
      return;
    }
    throw e;
  }
}

/** A short description of a failed file operation, e.g. "no such file". */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    default: return (e as Error).message;
  }
}
