// A real one-node Slurm cluster for the tests (scripts/test-servers/slurm.sh): munged, slurmctld and
// slurmd on this host, under a temporary folder. Users reach it with SLURM_CONF in their environment.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const script = resolve(import.meta.dirname, '../../../scripts/test-servers/slurm.sh');

export interface SlurmCluster {
  /** slurm.conf path: `export SLURM_CONF=…` in a target's slurm.prelude. */
  conf: string;
  partition: string;
  node: string;
  dir: string;
  stop(): void;
}

/** Thrown when slurm-wlm / munge cannot be installed on this machine (the only reason to skip). */
export class SlurmUnavailable extends Error {}

export function startSlurm(): SlurmCluster {
  const dir = mkdtempSync(join(tmpdir(), 'mtl-slurm-'));
  let out: string;
  try {
    out = execFileSync('bash', [script, 'start', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { status?: number; stderr?: string };
    rmSync(dir, { recursive: true, force: true });
    if (err.status === 3)
      throw new SlurmUnavailable(String(err.stderr).trim().split('\n').pop(), { cause: e });
    throw new Error(`slurm.sh start failed: ${String(err.stderr).trim()}`, { cause: e });
  }
  const info = JSON.parse(out.trim().split('\n').pop()!) as Omit<SlurmCluster, 'stop'>;
  return {
    ...info,
    stop: () => {
      execFileSync('bash', [script, 'stop', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** squeue as root against that cluster (what the test itself observes, beside the executor). */
export const squeue = (c: SlurmCluster, args: string[]): string =>
  execFileSync('squeue', args, { encoding: 'utf8', env: { ...process.env, SLURM_CONF: c.conf } });

/** scontrol as root (an administrator, or Slurm itself preempting: requeue, update). */
export const scontrol = (c: SlurmCluster, args: string[]): string =>
  execFileSync('scontrol', args, { encoding: 'utf8', env: { ...process.env, SLURM_CONF: c.conf } });
