// The probe's configuration directory, as the old probe's flash file system: a
// config.json (ports, target, the identity strings the CMSIS-DAP face reports) and the
// startup scripts boot.(ts|js|py) and main.(ts|js|py) that `tsprobe serve` runs.
// `tsprobe init` is the factory reset: it writes fresh files and keeps the old ones in
// a backup folder.
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BOOT_PY, DEFAULT_MAIN_PY } from './default-scripts.js';
import { DEFAULT_TARGET } from '../probe/target-spec.js';

export interface ProbeConfig {
  target: string;
  host: string;
  gdbPort: number;
  dapPort: number;
  /** Identity strings of the CMSIS-DAP face (DAP_Info). */
  probe: { vendor: string; product: string; serialNumber: string };
}

export const DEFAULT_CONFIG: ProbeConfig = {
  target: DEFAULT_TARGET,
  host: '127.0.0.1',
  gdbPort: 3333,
  dapPort: 4441,
  probe: { vendor: 'tsprobe', product: 'tsprobe CMSIS-DAP', serialNumber: 'TSPROBE0001' },
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** $TSPROBE_HOME, else $XDG_CONFIG_HOME/tsprobe, else ~/.config/tsprobe. */
export function configDir(): string {
  if (process.env.TSPROBE_HOME) return process.env.TSPROBE_HOME;
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'tsprobe');
}

export const CONFIG_FILE = 'config.json';
export const STARTUP_NAMES = ['boot', 'main'] as const;
const STARTUP_EXTS = ['ts', 'js', 'py'];

/** The config in `dir`, defaults for what is missing; a broken file is an error that says how to fix it. */
export function loadConfig(dir = configDir()): ProbeConfig {
  const file = join(dir, CONFIG_FILE);
  if (!existsSync(file)) return structuredClone(DEFAULT_CONFIG);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}; fix it or run 'tsprobe init' for a fresh configuration`);
  }
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${file}: expected a JSON object; run 'tsprobe init' for a fresh configuration`);
  const r = raw as Partial<ProbeConfig>;
  const cfg: ProbeConfig = { ...structuredClone(DEFAULT_CONFIG), ...r, probe: { ...DEFAULT_CONFIG.probe, ...(r.probe ?? {}) } };
  for (const k of ['gdbPort', 'dapPort'] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] < 0 || cfg[k] > 65535) throw new ConfigError(`${file}: ${k} ${String(cfg[k])} is not a TCP port (0-65535)`);
  }
  return cfg;
}

/** The startup script of each kind that exists (boot.ts before boot.js before boot.py). */
export function startupScripts(dir = configDir()): string[] {
  const out: string[] = [];
  for (const name of STARTUP_NAMES) {
    const ext = STARTUP_EXTS.find((e) => existsSync(join(dir, `${name}.${e}`)));
    if (ext) out.push(join(dir, `${name}.${ext}`));
  }
  return out;
}

export function historyFile(kind: 'js' | 'python', dir = configDir()): string {
  return join(dir, kind === 'js' ? 'repl_history' : 'repl_history_py');
}

/**
 * Factory reset: write config.json, boot.py and main.py afresh. Existing files (also
 * boot/main in other languages) move to backup-<time>/; returns that folder, if any.
 */
export function initConfig(dir = configDir(), over: Partial<ProbeConfig> = {}): { dir: string; backup: string | null; written: string[] } {
  mkdirSync(dir, { recursive: true });
  const replaced = [CONFIG_FILE, ...STARTUP_NAMES.flatMap((n) => STARTUP_EXTS.map((e) => `${n}.${e}`))].filter((f) => existsSync(join(dir, f)));
  let backup: string | null = null;
  if (replaced.length) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    backup = join(dir, `backup-${stamp}`);
    for (let i = 1; existsSync(backup); i++) backup = join(dir, `backup-${stamp}-${i}`);
    mkdirSync(backup);
    for (const f of replaced) renameSync(join(dir, f), join(backup, f));
  }
  const cfg: ProbeConfig = { ...structuredClone(DEFAULT_CONFIG), ...over, probe: { ...DEFAULT_CONFIG.probe, ...(over.probe ?? {}) } };
  writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(cfg, null, 2) + '\n');
  writeFileSync(join(dir, 'boot.py'), DEFAULT_BOOT_PY);
  writeFileSync(join(dir, 'main.py'), DEFAULT_MAIN_PY);
  return { dir, backup, written: [CONFIG_FILE, 'boot.py', 'main.py'] };
}

/** Backup folders, oldest first. */
export function backups(dir = configDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.startsWith('backup-')).sort();
}
