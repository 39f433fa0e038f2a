// One place that runs scripts of either language against one probe context: `tsprobe
// run`, `tsprobe serve` (boot/main scripts, monitor python/js) and the REPLs use it.
// The MicroPython interpreter starts on first use; JavaScript runs in this process with
// the target in its globals, and `monitor js` evaluates in a context of its own that
// keeps variables between commands.
import { extname } from 'node:path';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { inspect } from 'node:util';
import { ProbeContext } from './probe-context.js';
import { Target, type OpenOptions } from './target.js';
import { PythonRuntime, PythonError } from './python/runtime.js';
import { runJsFile, scriptGlobals, formatScriptError, evalJs, ScriptFailure } from './js-runner.js';

export type ScriptLanguage = 'js' | 'python';

export function scriptLanguage(file: string): ScriptLanguage {
  const ext = extname(file).toLowerCase();
  if (ext === '.py') return 'python';
  if (['.js', '.mjs', '.ts', '.mts'].includes(ext)) return 'js';
  throw new ScriptFailure(`${file}: unknown script type '${ext || '(none)'}'; use .ts, .js, .mjs or .py`, null);
}

export interface ScriptHostOptions {
  /** Where Python's print() goes (default stdout). */
  output?: (text: string) => void;
  args?: string[];
}

export class ScriptHost {
  private python: PythonRuntime | null = null;
  private pythonStarting: Promise<PythonRuntime> | null = null;
  readonly jsContext: vm.Context;

  constructor(
    readonly ctx: ProbeContext,
    private readonly opts: ScriptHostOptions = {},
  ) {
    this.jsContext = vm.createContext({ ...scriptGlobals({ target: ctx.target, args: opts.args ?? [] }), console, process, Buffer, setTimeout, clearTimeout, setInterval, clearInterval });
    ctx.evaluators.js = async (expr) => {
      const v = await evalJs(expr, this.jsContext);
      return v === undefined ? '' : typeof v === 'string' ? v : inspect(v, { depth: 3 });
    };
  }

  /** Open a target and a host on it. */
  static async open(spec?: string, openOpts: OpenOptions = {}, opts: ScriptHostOptions = {}): Promise<ScriptHost> {
    const t = await Target.open(spec, openOpts);
    return new ScriptHost(new ProbeContext(t), opts);
  }

  get target(): Target {
    return this.ctx.target;
  }

  /** The MicroPython interpreter (started on first use; also serves monitor python). */
  pythonRuntime(): Promise<PythonRuntime> {
    this.pythonStarting ??= PythonRuntime.start(this.ctx, { output: this.opts.output }).then((p) => (this.python = p));
    return this.pythonStarting;
  }

  /** Run a script file; rejects with ScriptFailure whose message is what the user should see. */
  async runFile(file: string): Promise<void> {
    const lang = scriptLanguage(file);
    if (lang === 'python') {
      let code: string;
      try {
        code = readFileSync(file, 'utf8');
      } catch (e) {
        throw new ScriptFailure(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, null);
      }
      const py = await this.pythonRuntime();
      try {
        await py.run(code, file);
      } catch (e) {
        if (e instanceof PythonError) throw new ScriptFailure(e.message, e);
        throw e;
      }
      return;
    }
    try {
      await runJsFile(file, { target: this.target, args: this.opts.args ?? [] });
    } catch (e) {
      if (e instanceof ScriptFailure) throw e;
      throw new ScriptFailure(formatScriptError(e, file), e);
    }
  }

  /** Ctrl-C while a script runs: stop it at its next target call. */
  async interrupt(): Promise<void> {
    this.target.interrupt();
    if (this.python) await this.python.interrupt();
  }

  async close(): Promise<void> {
    await this.python?.close();
    await this.ctx.close();
    await this.target.detach();
  }
}
