// What makes an SSH target a Slurm login node: `scheduler: 'slurm'` plus these `slurm` settings on
// the target (core/cloud/ssh/target.ts). Sweeps sent there become one `sbatch --array` job.
import { z } from 'zod';
import { CloudError } from '../errors.ts';
import type { SshTarget } from '../ssh/target.ts';

/** sbatch option values: no newlines or shell quoting surprises, since they go on a command line. */
const Opt = z.string().regex(/^[^\s'"`$\\;&|<>]+$/, 'one word, no spaces or shell characters');

export const SlurmSettingsSchema = z
  .object({
    /** `--partition`; default: the cluster's default partition. */
    partition: Opt.optional(),
    /** `--account` (charged allocation). */
    account: Opt.optional(),
    /** `--time` per array task (`HH:MM:SS`, `D-HH:MM:SS` …); default: the partition's limit. */
    time: Opt.optional(),
    /** `--gres` per task, e.g. `gpu:1`. */
    gres: Opt.optional(),
    /** `--cpus-per-task` (the loader's workers plus the trainer). */
    cpusPerTask: z.number().int().positive().default(1),
    /** `--mem` per task, e.g. `8G`. */
    mem: Opt.optional(),
    /** `--qos`. */
    qos: Opt.optional(),
    /** Extra sbatch options, one per item, e.g. `--constraint=a100`. */
    sbatchArgs: z.array(Opt).default([]),
    /** Shell lines run before every Slurm command on the login node and at the top of every task
     * (e.g. `module load slurm nodejs/20`, `export SLURM_CONF=…`). */
    prelude: z.string().default(''),
  })
  .strict();
export type SlurmSettings = z.output<typeof SlurmSettingsSchema>;

/** The Slurm settings of a target; a clear error when it is not marked as a Slurm login node. */
export function slurmSettings(t: SshTarget): SlurmSettings {
  if (t.scheduler !== 'slurm')
    throw new CloudError(
      'bad-config',
      `target "${t.name}" is not a Slurm login node (set "scheduler": "slurm" on it in targets.json)`,
    );
  return t.slurm ?? SlurmSettingsSchema.parse({});
}
