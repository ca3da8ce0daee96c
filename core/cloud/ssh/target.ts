// An SSH target: a machine the studio trains on. Saved by name in <workspace>/cloud/targets.json.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../../runs/atomic.ts';
import { CloudError } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { SlurmSettingsSchema } from '../slurm/settings.ts';

export const SshTargetSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1),
    /** Private key file (OpenSSH or PEM). */
    keyFile: z.string().min(1),
    /** known_hosts file checked before any login; default <workspace>/cloud/known_hosts. */
    knownHosts: z.string().optional(),
    /** Remote folder holding engines, workspaces and uploads; relative = under the login's home. */
    remoteRoot: z.string().min(1).default('.mtl-studio'),
    /** Use an engine already installed at this remote path instead of installing the packed one. */
    enginePath: z.string().optional(),
    /** Node binary on the remote. */
    node: z.string().default('node'),
    /** Command that installs the engine's dependencies inside the unpacked engine folder. */
    installCommand: z.string().default('npm ci --omit=dev --no-audit --no-fund'),
    /** Keepalive: a dead link is noticed after about interval × countMax. */
    keepaliveIntervalMs: z.number().int().positive().default(2000),
    keepaliveCountMax: z.number().int().positive().default(3),
    readyTimeoutMs: z.number().int().positive().default(15000),
    /** EC2 instance behind this target, when it was launched by the studio. */
    instanceId: z.string().optional(),
    /** A Slurm login node: sweeps sent here become one `sbatch --array` job (core/cloud/slurm). */
    scheduler: z.literal('slurm').optional(),
    slurm: SlurmSettingsSchema.optional(),
  })
  .strict();
export type SshTarget = z.output<typeof SshTargetSchema>;
export type SshTargetInput = z.input<typeof SshTargetSchema>;

export function parseTarget(input: unknown, where = 'target'): SshTarget {
  const r = SshTargetSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CloudError('bad-config', `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export function loadTargets(workspace: string): SshTarget[] {
  const file = cloudFiles(workspace).targets;
  if (!existsSync(file)) return [];
  const list = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
  return list.map((t, i) => parseTarget(t, `${file} [${i}]`));
}

export function getTarget(workspace: string, name: string): SshTarget {
  const t = loadTargets(workspace).find((x) => x.name === name);
  if (!t) throw new CloudError('not-found', `no SSH target named "${name}" (see \`mtl-studio remote list\`)`);
  return t;
}

export function saveTarget(workspace: string, input: SshTargetInput): SshTarget {
  const t = parseTarget(input);
  const file = cloudFiles(workspace).targets;
  mkdirSync(dirname(file), { recursive: true });
  const rest = loadTargets(workspace).filter((x) => x.name !== t.name);
  writeJsonAtomic(file, [...rest, t]);
  return t;
}

export function removeTarget(workspace: string, name: string): boolean {
  const all = loadTargets(workspace);
  const rest = all.filter((x) => x.name !== name);
  if (rest.length !== all.length) writeJsonAtomic(cloudFiles(workspace).targets, rest);
  return rest.length !== all.length;
}

export const knownHostsFile = (workspace: string, t: SshTarget): string =>
  t.knownHosts ?? cloudFiles(workspace).knownHosts;
