// Run a `mtl-studio` CLI command as a separate process: training, prediction, archives and dataset
// generation never run inside the studio process, so the UI never stalls and a crash there cannot
// take the studio down. Children are detached (their own process group) and write stdout/stderr to
// files, so training can outlive the window ("keep training") and its output is never lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How to start the CLI: a Node binary (or Electron with ELECTRON_RUN_AS_NODE) and bin/mtl-studio.mjs. */
export interface CliLauncher {
  node: string;
  cli: string;
  env?: Record<string, string>;
}

export function defaultLauncher(): CliLauncher {
  const cli = fileURLToPath(new URL('../../bin/mtl-studio.mjs', import.meta.url));
  // Inside Electron, process.execPath is the Electron binary: it runs scripts as Node with this flag.
  const env: Record<string, string> = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  return { node: process.execPath, cli, env };
}

export interface CliProcess {
  pid: number;
  child: ChildProcess;
  outPath: string;
  errPath: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Signal the whole process group (the CLI and anything it started). */
  kill(signal?: NodeJS.Signals): void;
}

let seq = 0;

export function spawnCli(launcher: CliLauncher, args: string[], logDir: string): CliProcess {
  mkdirSync(logDir, { recursive: true });
  const stem = join(logDir, `${Date.now()}-${process.pid}-${seq++}-${args[0] ?? 'cli'}`);
  const outPath = `${stem}.out`;
  const errPath = `${stem}.err`;
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  let child: ChildProcess;
  try {
    child = spawn(launcher.node, [launcher.cli, ...args], {
      stdio: ['ignore', out, err],
      detached: true,
      env: { ...process.env, ...launcher.env },
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  child.unref();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: -1, signal: null }));
  });
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    pid: child.pid ?? -1,
    child,
    outPath,
    errPath,
    exited,
    stdout: () => read(outPath),
    stderr: () => read(errPath),
    kill(signal = 'SIGTERM') {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    },
  };
}

/** The one-line reason of a failed CLI command (`mtl-studio: error: …`), else its last stderr line. */
export function failureReason(stderr: string, code: number | null, signal: string | null): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const err = lines.reverse().find((l) => l.startsWith('mtl-studio: error:'));
  if (err) return err.slice('mtl-studio: error:'.length).trim();
  return lines[0] ?? `exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
}

/** The `--json` result: the last stdout line that parses as a JSON object. */
export function jsonResult(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const v = JSON.parse(line) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}
