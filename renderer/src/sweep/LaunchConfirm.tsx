// The last step before a sweep starts: how many runs, where, how many at once, and what it costs
// where the executor has a price (AWS Batch) — the figure `sweep launch` prints before --yes.
import type { SweepLaunchPlan } from '../../../core/api/sweeps.ts';

export function LaunchConfirm(props: {
  plan: SweepLaunchPlan;
  launching: boolean;
  onLaunch: () => void;
  onCancel: () => void;
}) {
  const { plan, launching } = props;
  return (
    <div className="card" data-testid="sweep-launch-dialog">
      <div className="card-head">
        Launch {plan.id}?<span className="spacer" />
      </div>
      <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
        <div>
          <b data-testid="sweep-launch-runs">{plan.runs}</b> run{plan.runs === 1 ? '' : 's'} on{' '}
          <b>{plan.executor}</b>
          {plan.maxConcurrency ? `, at most ${plan.maxConcurrency} at once` : ''}
        </div>
        <div className={plan.estimate ? 'banner warn' : 'note'} data-testid="sweep-launch-estimate">
          {plan.estimate
            ? `Cost estimate: ${plan.estimate.text}`
            : 'No cost estimate: these runs use machines you already have (this machine, an SSH target or a Slurm cluster).'}
        </div>
        <div style={{ display: 'flex', gap: 8 }}>
          <button
            className="btn primary"
            disabled={launching}
            onClick={props.onLaunch}
            data-testid="sweep-launch-confirm"
          >
            {launching ? 'Launching…' : `Launch ${plan.runs} run${plan.runs === 1 ? '' : 's'}`}
          </button>
          <button
            className="btn"
            disabled={launching}
            onClick={props.onCancel}
            data-testid="sweep-launch-cancel"
          >
            Not now
          </button>
        </div>
      </div>
    </div>
  );
}
