// Where and how wide a sweep launches: executor (this machine, SSH / Slurm targets, AWS Batch once
// set up), at most N runs at once, and for Batch the hours a run takes (for the cost estimate).
import type { SweepExecutor } from '../../../core/api/sweeps.ts';

export interface LaunchSettings {
  executor: string;
  maxConcurrency: string;
  hoursPerRun: string;
}

/** The request fields of sweeps.estimate / sweeps.launch. */
export const launchRequest = (id: string, s: LaunchSettings) => ({
  id,
  executor: s.executor,
  ...(s.maxConcurrency.trim() ? { maxConcurrency: Number(s.maxConcurrency) } : {}),
  hoursPerRun: Number(s.hoursPerRun),
});

export function LaunchFields(props: {
  executors: SweepExecutor[];
  value: LaunchSettings;
  onChange: (v: LaunchSettings) => void;
}) {
  const { executors, value: v, onChange } = props;
  const set = (patch: Partial<LaunchSettings>) => onChange({ ...v, ...patch });
  const chosen = executors.find((e) => e.executor === v.executor);
  return (
    <span style={{ display: 'inline-flex', gap: 10, alignItems: 'center', flexWrap: 'wrap' }}>
      <label className="field">
        Executor
        <select
          className="input"
          value={v.executor}
          onChange={(e) => set({ executor: e.target.value })}
          data-testid="sweep-executor"
        >
          {executors.map((e) => (
            <option key={e.executor} value={e.executor} disabled={!e.available}>
              {e.label}
              {e.available ? '' : ` (${e.detail ?? 'unavailable'})`}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        At most at once
        <input
          className="input"
          style={{ width: 60 }}
          value={v.maxConcurrency}
          onChange={(e) => set({ maxConcurrency: e.target.value })}
          placeholder={v.executor === 'batch' ? 'capacity' : '1'}
          data-testid="sweep-max-concurrency"
        />
      </label>
      {v.executor === 'batch' && (
        <label className="field">
          Hours per run
          <input
            className="input"
            style={{ width: 60 }}
            value={v.hoursPerRun}
            onChange={(e) => set({ hoursPerRun: e.target.value })}
            data-testid="sweep-hours-per-run"
          />
        </label>
      )}
      {chosen?.detail && chosen.available && <span className="note">{chosen.detail}</span>}
    </span>
  );
}
