// Compare 2–8 runs: confounder check, config diff, overlaid curves on a shared cursor (syncId),
// metrics and cost, and the same sample side by side.
import { useMemo } from 'react';
import { useFollowRuns } from '../api/react.ts';
import { ChartControls } from '../charts/ChartControls.tsx';
import { CurveChart } from '../charts/CurveChart.tsx';
import { historySeries } from '../charts/series.ts';
import { findConfounders } from '../lib/configDiff.ts';
import { distinctRunColors } from '../lib/runColor.ts';
import { useStudio, useStudioShallow } from '../store/index.ts';
import { RunName } from '../components/RunName.tsx';
import { ConfigDiffTable } from './ConfigDiffTable.tsx';
import { ConfounderWarning } from './ConfounderWarning.tsx';
import { MetricsTable } from './MetricsTable.tsx';
import { SideBySide } from './SideBySide.tsx';

export const MAX_COMPARE = 8;

const COMPARE_CHARTS = [
  { key: 'loss.total', title: 'Train loss' },
  { key: 'val.multitask', title: 'Multitask (val)' },
  { key: 'val.miou', title: 'mIoU % (val)' },
  { key: 'val.si_log_rmse', title: 'SI-logRMSE (val)' },
  { key: 'val.loss.total', title: 'Validation loss' },
  { key: 'lr', title: 'Learning rate' },
];

export function ComparePage() {
  const s = useStudioShallow((st) => ({
    compareIds: st.compareIds,
    runs: st.runs,
    variables: st.variables,
    differencesOnly: st.differencesOnly,
    histories: st.histories,
    versions: st.historyVersion,
    smoothing: st.smoothing,
    showRaw: st.showRaw,
    showSuperseded: st.showSuperseded,
    maxPoints: st.maxPoints,
    logScaleLoss: st.logScaleLoss,
  }));
  const update = useStudio((st) => st.update);
  const toggleVariable = useStudio((st) => st.toggleVariable);
  const ids = s.compareIds.filter((id) => s.runs[id]).slice(0, MAX_COMPARE);
  const runs = ids.map((id) => s.runs[id]);
  const colors = useMemo(() => distinctRunColors(ids), [ids.join('\n')]);
  useFollowRuns(ids);

  const confounders = useMemo(
    () =>
      findConfounders(
        runs.map((r) => r.config),
        s.variables,
        runs.map((r) => ({
          'run.steps completed': r.step,
          'run.status': r.status === 'running' ? 'running' : 'finished',
        })),
      ),
    [runs, s.variables],
  );
  const charts = useMemo(
    () =>
      COMPARE_CHARTS.map((c) => ({
        ...c,
        series: runs.map((r) => historySeries(s.histories[r.id], c.key, r.id, r.name, colors.get(r.id)!)),
      })),
    [runs, s.histories, s.versions, colors],
  );
  const addable = Object.values(s.runs).filter((r) => !ids.includes(r.id));

  return (
    <div className="page" data-testid="compare-view">
      <div className="page-head">
        <h1>Compare</h1>
        <span className="dim">
          {runs.length} run{runs.length === 1 ? '' : 's'} (2–{MAX_COMPARE})
        </span>
        {runs.map((r) => (
          <span className="tag" key={r.id} style={{ height: 22 }}>
            <RunName id={r.id} name={r.name} color={colors.get(r.id)} />
            <button
              title="remove from comparison"
              onClick={() => update({ compareIds: ids.filter((x) => x !== r.id) })}
            >
              ×
            </button>
          </span>
        ))}
        {ids.length < MAX_COMPARE && (
          <select
            className="input"
            value=""
            onChange={(e) => e.target.value && update({ compareIds: [...ids, e.target.value] })}
            data-testid="compare-add"
          >
            <option value="">+ add run…</option>
            {addable.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} · {r.id}
              </option>
            ))}
          </select>
        )}
      </div>
      {runs.length < 2 ? (
        <div className="card empty">
          Select 2–8 runs in the runs table and press Compare, or add runs here.
        </div>
      ) : (
        <>
          <ConfounderWarning confounders={confounders} variables={s.variables} />
          <ConfigDiffTable
            runs={runs}
            colors={colors}
            variables={s.variables}
            differencesOnly={s.differencesOnly}
            confounderKeys={new Set(confounders.map((c) => c.key))}
            onToggleVariable={toggleVariable}
            onDifferencesOnly={(differencesOnly) => update({ differencesOnly })}
          />
          <MetricsTable runs={runs} colors={colors} />
          <ChartControls />
          <div className="grid-charts">
            {charts.map((c) => (
              <CurveChart
                key={c.key}
                title={c.title}
                series={c.series}
                smoothing={c.key.startsWith('val.') || c.key === 'lr' ? 0 : s.smoothing}
                showRaw={s.showRaw}
                showSuperseded={s.showSuperseded}
                maxPoints={s.maxPoints}
                logY={c.key.includes('loss') && s.logScaleLoss}
                syncId="compare"
                testId={c.key}
              />
            ))}
          </div>
          <SideBySide runs={runs} colors={colors} />
        </>
      )}
    </div>
  );
}
