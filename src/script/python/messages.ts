// Messages between the main thread and a MicroPython worker (besides the call channel).
export type ToWorker =
  | { type: 'run'; id: number; code: string; filename: string }
  | { type: 'monitor'; id: number; expr: string }
  | { type: 'repl-init' }
  | { type: 'repl-input'; data: number[] };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'out'; text: string }
  | { type: 'done'; id: number; error?: string; result?: string }
  | { type: 'repl-exit' };
