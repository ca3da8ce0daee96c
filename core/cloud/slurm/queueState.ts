// What Slurm says about the tasks of a sweep's array jobs, parsed from three sources (pure functions,
// unit-tested on captured output):
//   squeue -h -r -o '%i|%T|%r'          queued and running tasks, one line each (`12_3|RUNNING|None`)
//   scontrol -o show job <id>           every task Slurm still remembers (finished ones until MinJobAge)
//   sacct -n -X --parsable2 -o JobID,State,ExitCode   the long memory, where accounting is configured
// and mapped to a sweep run's status. The run's own final status event wins where Slurm only says
// the job ended (a trainer stopped by SIGTERM exits 130, which Slurm calls FAILED).
import type { SweepRunStatusName } from '../../api/sweepFile.ts';

export interface TaskState {
  /** `<array job id>_<task index>` */
  key: string;
  state: string;
  reason?: string;
  exitCode?: string;
  restarts?: number;
}

const QUEUED = new Set([
  'PENDING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESV_DEL_HOLD',
  'SUSPENDED',
  'CONFIGURING',
  'RESIZING',
  'STOPPED',
  'SPECIAL_EXIT',
]);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT']);

/** `0-3,7,9-10%2` or `[0-3%2]` → [0,1,2,3,7,9,10] (the throttle is dropped). */
export function expandIndices(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec
    .replace(/^\[|\]$/g, '')
    .split('%')[0]!
    .split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    for (let i = a!; i <= (Number.isInteger(b) ? b! : a!); i++) out.push(i);
  }
  return out;
}

/** [0,1,2,3,7,9,10] → `0-3,7,9-10` (sbatch --array syntax). */
export function compressIndices(indices: number[]): string {
  const sorted = [...new Set(indices)].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `12_3` or `12_[4-7%2]` → one key per task (`12_4` …); plain job ids are returned as they are. */
function taskKeys(jobId: string): string[] {
  const m = /^(\d+)_(.+)$/.exec(jobId);
  if (!m) return [jobId];
  return expandIndices(m[2]!).map((i) => `${m[1]}_${i}`);
}

export function parseSqueue(out: string): TaskState[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .flatMap((l) => {
      const [id, state, reason] = l.split('|');
      return taskKeys(id!).map((key) => ({
        key,
        state: state!,
        reason: reason && reason !== 'None' ? reason : undefined,
      }));
    });
}

/** One-line records of `scontrol -o show job`: `JobId=14 ArrayJobId=12 ArrayTaskId=2 … JobState=…`. */
export function parseScontrol(out: string): TaskState[] {
  const states: TaskState[] = [];
  for (const line of out.split('\n')) {
    if (!line.includes('JobState=')) continue;
    const f = Object.fromEntries(
      line
        .trim()
        .split(/\s+/)
        .map((kv) => {
          const at = kv.indexOf('=');
          return [kv.slice(0, at), kv.slice(at + 1)];
        }),
    ) as Record<string, string>;
    const base = f.ArrayJobId ?? f.JobId!;
    const keys = f.ArrayTaskId ? expandIndices(f.ArrayTaskId).map((i) => `${base}_${i}`) : [base];
    for (const key of keys)
      states.push({
        key,
        state: f.JobState!,
        reason: f.Reason && f.Reason !== 'None' ? f.Reason : undefined,
        exitCode: f.ExitCode,
        restarts: f.Restarts ? Number(f.Restarts) : undefined,
      });
  }
  return states;
}

/** `sacct -n -X --parsable2 -o JobID,State,ExitCode` lines; `CANCELLED by 1001` keeps its first word. */
export function parseSacct(out: string): TaskState[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('|'))
    .flatMap((l) => {
      const [id, state, exitCode] = l.split('|');
      return taskKeys(id!).map((key) => ({ key, state: state!.split(' ')[0]!, exitCode }));
    });
}

/** First source that knows a task wins: squeue (live), then scontrol, then sacct. */
export function mergeSources(...sources: TaskState[][]): Map<string, TaskState> {
  const m = new Map<string, TaskState>();
  for (const src of sources) for (const t of src) if (!m.has(t.key)) m.set(t.key, t);
  return m;
}

/** Slurm's word for a task, plus the run's own last status (if it has one), as a sweep run status. */
export function runStatus(
  task: TaskState | undefined,
  runFinal: 'completed' | 'failed' | 'stopped' | undefined,
): { status: SweepRunStatusName; detail?: string } | null {
  if (!task) return runFinal ? { status: runFinal } : null;
  const detail = [
    task.state,
    task.reason,
    task.exitCode && task.exitCode !== '0:0' ? `exit ${task.exitCode}` : '',
    task.restarts ? `${task.restarts} restart(s)` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (QUEUED.has(task.state)) return { status: 'queued', detail };
  if (RUNNING.has(task.state)) return { status: 'running', detail };
  if (task.state === 'COMPLETED') return { status: runFinal ?? 'completed', detail };
  if (task.state === 'CANCELLED') return { status: 'stopped', detail };
  // FAILED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE: Slurm's word, because a
  // time limit or preemption also ends in the trainer's clean `stopped`.
  return { status: runFinal === 'completed' ? 'completed' : 'failed', detail };
}
