// Start the real `mtl-studio serve` on a temporary workspace (random port) and stop it afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServedStudio {
  url: string;
  origin: string;
  token: string;
  workspace: string;
  /** Whether the serve process is still running (the attack tests check it survived). */
  alive(): boolean;
  stop(): Promise<void>;
}

export async function serveStudio(
  opts: { workspace?: string; timeoutMs?: number } = {},
): Promise<ServedStudio> {
  const workspace = opts.workspace ?? mkdtempSync(join(tmpdir(), 'mtl-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/mtl-studio.mjs', 'serve', '--port', '0', '--workspace', workspace],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MTL_PROGRESS: '0' } },
  );
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`serve printed no URL within ${opts.timeoutMs ?? 90_000} ms\n${stderr}`)),
      opts.timeoutMs ?? 90_000,
    );
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /http:\/\/\S+\?token=\S+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}\n${stderr}`)));
  });
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    token: u.searchParams.get('token')!,
    workspace,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      stopTrainers(workspace);
      if (!opts.workspace) rmSync(workspace, { recursive: true, force: true });
    },
  };
}

/** Trainers outlive `serve` by design (keep training); a test must not leave them running. */
function stopTrainers(workspace: string): void {
  const runs = join(workspace, 'runs');
  if (!existsSync(runs)) return;
  for (const id of readdirSync(runs)) {
    const lock = join(runs, id, 'trainer.pid');
    if (!existsSync(lock)) continue;
    try {
      process.kill((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
