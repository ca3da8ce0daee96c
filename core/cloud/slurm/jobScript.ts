// The batch script of a sweep's array job (one file per sweep, `<sweep>/task.sh` on the cluster).
// Every array task trains run $SLURM_ARRAY_TASK_ID of the manifest shipped beside it, in a workspace
// of its own (`tasks/<i>/`, so the run folder of a task is never ambiguous). When that workspace
// already holds the run — Slurm requeued the task after a preemption or node failure (`--requeue`),
// or the studio relaunched it after a `scancel` — it resumes the run from its last checkpoint.
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

/** Writes run <index>'s resolved config to a file and prints `--name N --tag T …` NUL-separated. */
const EXTRACT = `const fs = require('fs');
const [manifest, index, out] = process.argv.slice(1);
const run = JSON.parse(fs.readFileSync(manifest, 'utf8')).runs.find((r) => r.index === Number(index));
if (!run) { console.error('run ' + index + ' is not in ' + manifest); process.exit(1); }
fs.writeFileSync(out, JSON.stringify(run.config));
process.stdout.write(['--name', run.name, ...run.tags.flatMap((t) => ['--tag', t])].join('\\0') + '\\0');`;

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
mkdir -p "$ws/runs"
echo "[$(date -u +%FT%TZ)] job \${SLURM_JOB_ID:-?} (array \${SLURM_ARRAY_JOB_ID:-?}_$i) restart \${SLURM_RESTART_COUNT:-0} on $(hostname)" >> "$ws/task.log"
run=$(ls -1 "$ws/runs" | head -n 1)
if [ -n "$run" ]; then
  if grep -q '"status":"completed"' "$ws/runs/$run/events.jsonl" 2>/dev/null; then
    echo "run $run already completed" >> "$ws/task.log"
    exit 0
  fi
  # Slurm runs one instance of an array task at a time: the lock of the previous attempt (maybe on
  # another node, killed without a chance to release it) is stale.
  rm -f "$ws/runs/$run/trainer.pid"
  echo "resuming $run from its last checkpoint" >> "$ws/task.log"
  exec "$node" "$cli" --workspace "$ws" resume "$run"
fi
"$node" -e ${sq(EXTRACT)} "$sweep/manifest.json" "$i" "$ws/config.json" > "$ws/train.args" || exit 1
mapfile -d '' args < "$ws/train.args"
exec "$node" "$cli" --workspace "$ws" train --config "$ws/config.json" "\${args[@]}"
`;
}
