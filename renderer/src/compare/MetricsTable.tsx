import { epochsDone } from '../../../core/api/events.ts';
import type { RunInfo } from '../../../core/api/studio.ts';
import { RunName } from '../components/RunName.tsx';
import { fmtNum, fmtParams } from '../components/format.ts';

/** Headline metrics and costs of the compared runs; the best value per row is bold. */
export function MetricsTable({ runs, colors }: { runs: RunInfo[]; colors?: Map<string, string> }) {
  const rows: {
    label: string;
    get: (r: RunInfo) => number | undefined;
    better?: 'high' | 'low';
    fmt?: (v: number | undefined) => string;
  }[] = [
    { label: 'best multitask', get: (r) => r.best?.metrics.multitask, better: 'high' },
    { label: 'best mIoU %', get: (r) => r.best?.metrics.miou, better: 'high' },
    { label: 'best SI-logRMSE', get: (r) => r.best?.metrics.si_log_rmse, better: 'low' },
    // Epochs count from 1 on screen (as `mtl-studio runs show` prints them); RunInfo keeps 0-based indices.
    { label: 'best epoch', get: (r) => (r.best ? r.best.epoch + 1 : undefined) },
    { label: 'last multitask', get: (r) => r.last?.metrics.multitask, better: 'high' },
    { label: 'parameters', get: (r) => r.params, better: 'low', fmt: fmtParams },
    { label: 'peak RSS MB', get: (r) => r.peakRssMb, better: 'low' },
    { label: 'ms / step (median)', get: (r) => r.msPerStep, better: 'low' },
    { label: 'steps', get: (r) => r.step },
    { label: 'epochs', get: (r) => epochsDone(r) },
  ];
  return (
    <div className="card">
      <div className="card-head">Metrics and cost</div>
      <table className="data" data-testid="compare-metrics-table">
        <thead>
          <tr>
            <th />
            {runs.map((r) => (
              <th key={r.id} className="num">
                <RunName id={r.id} name={r.name} color={colors?.get(r.id)} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const vals = runs.map(row.get);
            const finite = vals.filter((v): v is number => typeof v === 'number');
            const best =
              row.better && finite.length > 1
                ? row.better === 'high'
                  ? Math.max(...finite)
                  : Math.min(...finite)
                : undefined;
            return (
              <tr key={row.label}>
                <td className="dim">{row.label}</td>
                {vals.map((v, i) => (
                  <td
                    key={i}
                    className="num"
                    style={{ fontWeight: v !== undefined && v === best ? 700 : undefined }}
                  >
                    {(row.fmt ?? fmtNum)(v)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
