// Running user scripts written in JavaScript or TypeScript. Scripts are ES modules with
// top-level await; they find the opened target in the global `target` (plus `Target`,
// `sleep`, `hex`, `args`). TypeScript is transpiled (types are not checked: a script is
// not a project) with a source map, so that errors point at the script's own lines.
import { readFileSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { Target } from './target.js';

export interface ScriptGlobals {
  target: Target;
  args?: string[];
  [name: string]: unknown;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const hex = (n: number, digits = 8) => '0x' + (n >>> 0).toString(16).padStart(digits, '0');

/** The helpers every script and the REPL see. */
export function scriptGlobals(g: ScriptGlobals): Record<string, unknown> {
  return { Target, sleep, hex, args: [], ...g };
}

export class ScriptFailure extends Error {
  constructor(
    message: string,
    readonly original: unknown,
  ) {
    super(message);
    this.name = 'ScriptFailure';
  }
}

/** TypeScript source to an ES module whose source map points at `file` itself. */
export async function transpileTs(source: string, file: string): Promise<string> {
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch {
    throw new ScriptFailure(`cannot run ${file}: the 'typescript' package is not installed (npm install typescript), or write the script in JavaScript`, null);
  }
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true, inlineSources: false },
  });
  const syntax = (out.diagnostics ?? []).find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntax && syntax.file && syntax.start !== undefined) {
    const { line, character } = syntax.file.getLineAndCharacterOfPosition(syntax.start);
    throw new ScriptFailure(`${file}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(syntax.messageText, '\n')}`, null);
  }
  const map = JSON.parse(out.sourceMapText!) as { sources: string[]; file?: string };
  map.sources = [pathToFileURL(file).href];
  const code = out.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '');
  return `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/** The error as the user should see it: message, then only the stack frames in the script. */
export function formatScriptError(e: unknown, file: string): string {
  if (e instanceof ScriptFailure && e.original === null) return e.message;
  const err = e as Error;
  const head = err instanceof Error ? `${err.name}: ${err.message}` : `uncaught ${String(e)}`;
  const url = pathToFileURL(file).href;
  const frames = (err?.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l) && (l.includes(url) || l.includes(file)))
    .map((l) => l.split(url).join(file).replace(/\?run=\d+:/, ':'));
  return frames.length ? `${head}\n${frames.join('\n')}` : head;
}

let counter = 0;

/** Run a .js/.mjs/.ts script file with the given globals; rejects with the script's error. */
export async function runJsFile(file: string, g: ScriptGlobals): Promise<void> {
  const abs = resolve(file);
  let source: string;
  try {
    source = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ScriptFailure(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, null);
  }
  process.setSourceMapsEnabled(true);
  const globals = scriptGlobals(g);
  const saved = new Map<string, PropertyDescriptor | undefined>();
  for (const [k, v] of Object.entries(globals)) {
    saved.set(k, Object.getOwnPropertyDescriptor(globalThis, k));
    Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  }
  let tmp: string | null = null;
  let tmpFile: string | null = null;
  try {
    let url: string;
    if (/\.(ts|mts)$/.test(abs)) {
      const js = await transpileTs(source, abs);
      // Next to the script, so that its relative imports resolve; else in the temp folder.
      const name = `.${basename(abs).replace(/\.m?ts$/, '')}.tsprobe-${process.pid}-${counter++}.mjs`;
      let out = join(dirname(abs), name);
      try {
        writeFileSync(out, js, { flag: 'wx' });
        tmpFile = out;
      } catch {
        tmp = mkdtempSync(join(tmpdir(), 'tsprobe-script-'));
        out = join(tmp, name);
        writeFileSync(out, js);
      }
      url = pathToFileURL(out).href;
    } else {
      // A fresh URL each time so that running the same file twice runs it twice.
      url = `${pathToFileURL(abs).href}?run=${counter++}`;
    }
    await import(url);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (tmpFile) rmSync(tmpFile, { force: true });
    for (const [k, d] of saved) {
      if (d) Object.defineProperty(globalThis, k, d);
      else delete (globalThis as Record<string, unknown>)[k];
    }
  }
}

/**
 * Evaluate a JavaScript expression or statements (with await) in a context: for
 * `monitor js <expr>` and startup scripts' shared state. Returns the value shown as text.
 */
export async function evalJs(code: string, context: vm.Context): Promise<unknown> {
  let script: vm.Script;
  try {
    script = new vm.Script(`(async () => (${code}\n))()`, { filename: 'monitor-js' });
  } catch {
    script = new vm.Script(`(async () => {${code}\n})()`, { filename: 'monitor-js' });
  }
  return await script.runInContext(context);
}
