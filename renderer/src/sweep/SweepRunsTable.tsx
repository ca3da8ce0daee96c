// The live table of a sweep's runs: scheduler status (queued / running / … with the scheduler's
// detail), axis values, best metrics of the run once it exists; a checkbox per run for compare, and
// a Stop per waiting or training run of a launched sweep.
import type { SweepPoint } from './sweepData.ts';
import { SWEEP_METRICS, valueLabel } from './sweepData.ts';
import { fmtNum } from '../components/format.ts';

/** Run states a Stop applies to. */
export const LIVE: ReadonlySet<string> = new Set(['pending', 'queued', 'running']);

export function SweepRunsTable(props: {
  points: SweepPoint[];
  sweptKeys: string[];
  selected: ReadonlySet<number>;
  onToggle: (index: number) => void;
  onOpen: (runId: string) => void;
  /** Stop one run (absent before launch). */
  onStop?: (index: number) => void;
  /** Runs whose stop was asked and not yet answered. */
  stopping?: ReadonlySet<number>;
}) {
  const { points, sweptKeys, selected } = props;
  return (
    <div className="table-wrap" style={{ overflow: 'auto', maxHeight: 420 }}>
      <table className="data" data-testid="sweep-runs-table">
        <thead>
          <tr>
            <th />
            <th className="num">#</th>
            <th>run</th>
            <th>status</th>
            {sweptKeys.map((k) => (
              <th key={k}>{k}</th>
            ))}
            {SWEEP_METRICS.map((m) => (
              <th key={m.key} className="num">
                {m.label}
              </th>
            ))}
            <th>step</th>
            <th>scheduler</th>
            {props.onStop && <th />}
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.index} data-testid="sweep-run-row" data-index={p.index} data-status={p.status}>
              <td>
                <input
                  type="checkbox"
                  checked={selected.has(p.index)}
                  disabled={!p.runId}
                  onChange={() => props.onToggle(p.index)}
                  aria-label={`select ${p.name}`}
                  data-testid="sweep-select"
                />
              </td>
              <td className="num">{p.index}</td>
              <td>
                {p.runId ? (
                  <button className="btn ghost small" onClick={() => props.onOpen(p.runId!)} title={p.runId}>
                    {p.name}
                  </button>
                ) : (
                  <span className="dim">{p.name}</span>
                )}
              </td>
              <td>
                <span className={`status ${p.status}`} data-testid="sweep-run-status">
                  <span className="dot" />
                  {p.status}
                </span>
              </td>
              {sweptKeys.map((k) => (
                <td key={k}>{valueLabel(p.axes[k])}</td>
              ))}
              {SWEEP_METRICS.map((m) => (
                <td key={m.key} className="num">
                  {p.run ? fmtNum(m.get(p.run)) : ''}
                </td>
              ))}
              <td className="num">{p.run ? `${p.run.step} (${p.run.epoch}/${p.run.epochs} ep)` : ''}</td>
              <td className="dim" title={p.detail}>
                {[p.jobId, p.detail].filter(Boolean).join(' · ')}
              </td>
              {props.onStop && (
                <td>
                  {LIVE.has(p.status) && (
                    <button
                      className="btn danger small"
                      disabled={props.stopping?.has(p.index)}
                      onClick={() => props.onStop!(p.index)}
                      title={`stop run ${p.index} (a waiting run never starts; a training run checkpoints first)`}
                      data-testid="sweep-run-stop"
                    >
                      {props.stopping?.has(p.index) ? 'Stopping…' : 'Stop'}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
