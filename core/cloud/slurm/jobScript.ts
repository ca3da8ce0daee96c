// The batch script of a sweep's array job (one file per sweep, `<sweep>/task.sh` on the cluster).
// Array task i trains the one run in its own workspace, `tasks/<i>/runs/<id>/`, which the launcher
// created (taskRuns.ts): `mtl-studio train --run <id>`. A run that has started before — Slurm
// requeued the task after a preemption or node failure (`--requeue`), or the studio relaunched it
// after a `scancel` — is resumed from its last checkpoint instead (`train --run` refuses a started run).
import { sq } from '../ssh/session.ts';

export interface JobScriptParams {
  /** Absolute folder of the sweep on the cluster (shared by the login and compute nodes). */
  sweepDir: string;
  /** Absolute folder of the installed engine. */
  engine: string;
  /** Node binary on the compute nodes. */
  node: string;
  /** Shell lines run first (module loads, environment). */
  prelude: string;
  sweepId: string;
}

export function jobScript(p: JobScriptParams): string {
  return `#!/bin/bash
# Sweep ${p.sweepId}: one run per Slurm array task (written by MTL Studio, core/cloud/slurm/jobScript.ts).
set -uo pipefail
${p.prelude}
sweep=${sq(p.sweepDir)}
node=${sq(p.node)}
cli=${sq(`${p.engine}/bin/mtl-studio.mjs`)}
i=\${SLURM_ARRAY_TASK_ID:?submit with sbatch --array}
ws="$sweep/tasks/$i"
echo "[$(date -u +%FT%TZ)] job \${SLURM_JOB_ID:-?} (array \${SLURM_ARRAY_JOB_ID:-?}_$i) restart \${SLURM_RESTART_COUNT:-0} on $(hostname)" >> "$ws/task.log"
run=$(ls -1 "$ws/runs" 2>/dev/null | head -n 1)
if [ -z "$run" ]; then
  echo "no run in $ws/runs (the launcher creates it)" | tee -a "$ws/task.log" >&2
  exit 1
fi
# Slurm runs one instance of an array task at a time: the lock of a previous attempt (maybe on
# another node, killed without a chance to release it) is stale.
rm -f "$ws/runs/$run/trainer.pid"
# Started before (its log has events): requeued or relaunched.
if [ -s "$ws/runs/$run/events.jsonl" ]; then
  if grep -q '"status":"completed"' "$ws/runs/$run/events.jsonl" 2>/dev/null; then
    echo "run $run already completed" >> "$ws/task.log"
    exit 0
  fi
  echo "resuming $run from its last checkpoint" >> "$ws/task.log"
  exec "$node" "$cli" --workspace "$ws" resume "$run"
fi
echo "training $run" >> "$ws/task.log"
exec "$node" "$cli" --workspace "$ws" train --run "$run"
`;
}
