// What every command shares: the workspace folder, `--json` output, progress on stderr, one-line errors.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import cliProgress from 'cli-progress';

export interface GlobalOptions {
  workspace: string;
  json: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ workspace?: string; json?: boolean }>();
  return {
    workspace: resolve(o.workspace ?? process.env.MTL_STUDIO_WORKSPACE ?? join(homedir(), 'mtl-studio')),
    json: Boolean(o.json),
  };
}

/** Print the command's result: one JSON object as the last stdout line with --json, else readable text. */
export function printResult(opts: GlobalOptions, result: unknown, human?: string): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${human ?? JSON.stringify(result, null, 2)}\n`);
}

/** Progress to stderr (never stdout, which carries results). Silent when stderr is not a terminal
 * unless MTL_PROGRESS=1, so logs and tests are not flooded with redraws. */
export function progressBar(
  label: string,
  total: number,
): { update(n: number, extra?: string): void; stop(): void } {
  const enabled = process.stderr.isTTY || process.env.MTL_PROGRESS === '1';
  if (!enabled) {
    let lastPct = -1;
    return {
      update(n, extra) {
        const pct = Math.floor((100 * n) / Math.max(1, total));
        if (pct >= lastPct + 25 || n === total) {
          lastPct = pct;
          process.stderr.write(`${label}: ${n}/${total}${extra ? ` ${extra}` : ''}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted} {extra}`,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { extra: '' });
  return { update: (n, extra) => bar.update(n, { extra: extra ?? '' }), stop: () => bar.stop() };
}

/** Collect repeated `--set k=v` options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
