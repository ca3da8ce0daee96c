// Slurm commands on the login node, over the SSH session (each prefixed by the target's prelude):
// sbatch an array, query where its tasks stand, scancel tasks or whole jobs.
import { CloudError } from '../errors.ts';
import { sq, type SshSession } from '../ssh/session.ts';
import { mergeSources, parseSacct, parseScontrol, parseSqueue, type TaskState } from './queueState.ts';
import type { SlurmSettings } from './settings.ts';

const withPrelude = (cfg: SlurmSettings, cmd: string): string =>
  cfg.prelude.trim() ? `${cfg.prelude.trim()}\n${cmd}` : cmd;

export interface SubmitOptions {
  /** sbatch --array value without the throttle: `0-99`, `3,7`. */
  array: string;
  /** At most this many tasks at once (`%N`). */
  maxConcurrency?: number;
  jobName: string;
  script: string;
  /** Working directory of the job (the sweep folder). */
  cwd: string;
  /** `--output` pattern (%A array job id, %a task index). */
  output: string;
}

/** The sbatch argument list for a sweep's array job (also shown to the user). */
export function sbatchArgs(cfg: SlurmSettings, o: SubmitOptions): string[] {
  const throttle = o.maxConcurrency ? `%${o.maxConcurrency}` : '';
  return [
    '--parsable',
    '--requeue',
    `--job-name=${o.jobName}`,
    `--array=${o.array}${throttle}`,
    `--output=${o.output}`,
    '--open-mode=append',
    `--cpus-per-task=${cfg.cpusPerTask}`,
    ...(cfg.partition ? [`--partition=${cfg.partition}`] : []),
    ...(cfg.account ? [`--account=${cfg.account}`] : []),
    ...(cfg.time ? [`--time=${cfg.time}`] : []),
    ...(cfg.gres ? [`--gres=${cfg.gres}`] : []),
    ...(cfg.mem ? [`--mem=${cfg.mem}`] : []),
    ...(cfg.qos ? [`--qos=${cfg.qos}`] : []),
    ...cfg.sbatchArgs,
  ];
}

/** Submit; returns the array job id. */
export async function submitArray(s: SshSession, cfg: SlurmSettings, o: SubmitOptions): Promise<string> {
  const args = sbatchArgs(cfg, o);
  const out = await s.run(
    withPrelude(cfg, `cd ${sq(o.cwd)} && sbatch ${args.map(sq).join(' ')} ${sq(o.script)}`),
    'sbatch',
  );
  // --parsable prints `jobid` or `jobid;cluster`.
  const id = out.trim().split('\n').pop()!.split(';')[0]!.trim();
  if (!/^\d+$/.test(id)) throw new CloudError('remote-command', `sbatch printed no job id: ${out.trim()}`);
  return id;
}

/** Where every task of these array jobs stands, from squeue, scontrol and (where accounting is
 * configured) sacct, in one round trip. `accounting` is false when sacct says it is disabled. */
export async function queryTasks(
  s: SshSession,
  cfg: SlurmSettings,
  jobIds: string[],
): Promise<{ tasks: Map<string, TaskState>; accounting: boolean }> {
  if (!jobIds.length) return { tasks: new Map(), accounting: false };
  const ids = jobIds.join(',');
  const cmd = [
    `echo @@squeue; squeue -h -r -j ${ids} -o '%i|%T|%r' 2>/dev/null`,
    `echo @@scontrol; for j in ${jobIds.join(' ')}; do scontrol -o show job "$j" 2>/dev/null; done`,
    `echo @@sacct; sacct -n -X --parsable2 -o JobID,State,ExitCode -j ${ids} 2>&1`,
    'true',
  ].join('; ');
  const out = await s.run(withPrelude(cfg, cmd), 'querying Slurm');
  const section = (name: string) => {
    const m = new RegExp(`@@${name}\\n([\\s\\S]*?)(?=@@|$)`).exec(out);
    return m ? m[1]! : '';
  };
  const sacct = section('sacct');
  const accounting = !/accounting storage is disabled|Invalid|error/i.test(sacct);
  return {
    tasks: mergeSources(
      parseSqueue(section('squeue')),
      parseScontrol(section('scontrol')),
      accounting ? parseSacct(sacct) : [],
    ),
    accounting,
  };
}

/** scancel whole jobs or single tasks (`12_3`). The trainers get SIGTERM: they checkpoint and stop. */
export async function cancel(s: SshSession, cfg: SlurmSettings, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await s.run(withPrelude(cfg, `scancel ${ids.map(sq).join(' ')}`), 'scancel');
}

/** Is there a Slurm client here at all? A clear error instead of `sbatch: command not found`. */
export async function checkSlurm(s: SshSession, cfg: SlurmSettings): Promise<string> {
  const r = await s.exec(withPrelude(cfg, 'sbatch --version && squeue -h -o %i -u "$(id -un)" | head -n 1'));
  if (r.code !== 0)
    throw new CloudError(
      'remote-command',
      `no working Slurm client on ${s.target.host} (${(r.stderr.trim() || r.stdout.trim()).split('\n').pop()}); ` +
        `set the target's slurm.prelude (e.g. "module load slurm")`,
    );
  return r.stdout.trim().split('\n')[0]!;
}
