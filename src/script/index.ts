// The scripting API: what `tsprobe run`, the REPL and the MicroPython bridge use.
export { Target, ScriptError, type TargetInfo, type MemoryRegion, type OpenOptions } from './target.js';
export { MemView, type MemWidth } from './mem-view.js';
export { ProbeContext } from './probe-context.js';
export { ScriptHost, scriptLanguage } from './script-host.js';
export { PythonRuntime, PythonError } from './python/runtime.js';
export { runJsFile, evalJs, ScriptFailure } from './js-runner.js';
