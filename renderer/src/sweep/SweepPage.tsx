// Sweeps: pick one, follow its runs live (the engine refreshes the scheduler's view; metrics come
// from the runs the studio already streams), see which axis values matter — parallel coordinates,
// per-axis marginals with seeds as spread, best so far — and open any subset in the compare view
// with the swept keys marked as the variables under study. Sweeps are made here too (New sweep),
// launched after a confirmation with their run count and cost estimate, and stopped whole or run by
// run — the same core functions as `mtl-studio sweep create|launch|stop [--run i]`.
import { useEffect, useMemo, useState } from 'react';
import type { SweepFile } from '../../../core/api/sweepFile.ts';
import type { SweepDetail, SweepExecutor, SweepLaunchPlan, SweepSummary } from '../../../core/api/sweeps.ts';
import { useApi } from '../api/react.ts';
import { MAX_COMPARE } from '../compare/ComparePage.tsx';
import { useStudioShallow } from '../store/index.ts';
import { BestSoFar } from './BestSoFar.tsx';
import { MarginalPlots } from './MarginalPlots.tsx';
import { ParallelCoordinates } from './ParallelCoordinates.tsx';
import { LaunchConfirm } from './LaunchConfirm.tsx';
import { LaunchFields, launchRequest, type LaunchSettings } from './LaunchFields.tsx';
import { NewSweepForm } from './NewSweepForm.tsx';
import { LIVE, SweepRunsTable } from './SweepRunsTable.tsx';
import { SWEEP_METRICS, designAxes, metricByKey, sweepPoints, topRuns } from './sweepData.ts';

/** How often the page asks for the sweep's run states while it is open. */
export const SWEEP_POLL_MS = 2000;

export function SweepPage({ pollMs = SWEEP_POLL_MS }: { pollMs?: number }) {
  const api = useApi();
  const { runs, update, navigate, toast, defaultPreset } = useStudioShallow((s) => ({
    runs: s.runs,
    update: s.update,
    navigate: s.navigate,
    toast: s.toast,
    defaultPreset: s.system?.defaultPreset ?? 'quick-cpu',
  }));
  const [sweeps, setSweeps] = useState<SweepSummary[] | null>(null);
  const [sweepId, setSweepId] = useState<string | null>(null);
  const [detail, setDetail] = useState<SweepDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The last create/launch/stop failure: kept until the next action (the poll clears `error`). */
  const [actionError, setActionError] = useState<string | null>(null);
  const [metricKey, setMetricKey] = useState(SWEEP_METRICS[0]!.key);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [executors, setExecutors] = useState<SweepExecutor[]>([]);
  const [creating, setCreating] = useState(false);
  const [launch, setLaunch] = useState<LaunchSettings>({
    executor: 'local',
    maxConcurrency: '1',
    hoursPerRun: '1',
  });
  const [plan, setPlan] = useState<SweepLaunchPlan | null>(null);
  const [planSettings, setPlanSettings] = useState<LaunchSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [stopping, setStopping] = useState<ReadonlySet<number>>(new Set());
  const [listVersion, setListVersion] = useState(0);

  useEffect(() => {
    let live = true;
    api.client.sweeps
      .list({})
      .then((r) => {
        if (!live) return;
        setSweeps(r.sweeps);
        setSweepId((cur) => cur ?? r.sweeps[0]?.id ?? null);
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [api, listVersion]);

  useEffect(() => {
    let live = true;
    api.client.sweeps
      .executors({})
      .then((r) => live && setExecutors(r.executors))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [api]);

  useEffect(() => {
    if (!sweepId) return;
    let live = true;
    const load = () =>
      api.client.sweeps
        .get({ id: sweepId })
        .then((d) => {
          if (!live) return;
          setDetail(d);
          setError(null);
        })
        .catch((e: Error) => live && setError(e.message));
    void load();
    const t = setInterval(() => void load(), pollMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [api, sweepId, pollMs]);

  const metric = metricByKey(metricKey);
  const shown = detail && detail.sweep.id === sweepId ? detail : null;
  const points = useMemo(() => (shown ? sweepPoints(shown, runs, metric) : []), [shown, runs, metric]);
  const axes = shown ? designAxes(shown) : [];
  const toggle = (i: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(i)) n.delete(i);
      else n.add(i);
      return n;
    });
  const withRun = (indices: Iterable<number>) =>
    [...indices].flatMap((i) => {
      const id = points.find((p) => p.index === i)?.runId;
      return id && runs[id] ? [id] : [];
    });
  const openCompare = (ids: string[]) => {
    if (!shown) return;
    // The swept keys are the variables under study: every other difference is a confounder.
    update({ compareIds: ids.slice(0, MAX_COMPARE), variables: [...shown.sweptKeys] });
    navigate('compare');
  };
  const selectedIds = withRun(selected);

  // Launch: the plan (runs, cost) first; the sweep starts only from the confirmation.
  const review = async (id: string, settings: LaunchSettings) => {
    setPlan(await api.client.sweeps.estimate(launchRequest(id, settings)));
    setPlanSettings(settings);
  };
  const create = async (definition: SweepFile, settings: LaunchSettings) => {
    const made = await api.client.sweeps.create({ definition });
    setCreating(false);
    setSweepId(made.id);
    setSelected(new Set());
    setLaunch(settings);
    setListVersion((v) => v + 1);
    toast('success', `Created sweep ${made.id}: ${made.runs} runs`);
    await review(made.id, settings).catch((e: Error) => setActionError(e.message));
  };
  const confirmLaunch = async () => {
    if (!plan || !planSettings) return;
    setBusy(true);
    setActionError(null);
    try {
      // The estimate the user confirms here: the engine refuses a costed launch without it.
      const confirmCost = plan.estimate ? (plan.estimate.usd ?? true) : undefined;
      const d = await api.client.sweeps.launch({
        ...launchRequest(plan.id, planSettings),
        ...(confirmCost !== undefined ? { confirmCost } : {}),
      });
      setDetail(d);
      setPlan(null);
      setListVersion((v) => v + 1);
      toast('success', `Launched ${plan.runs} runs on ${plan.executor}`);
    } catch (e) {
      setActionError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const stop = async (index?: number) => {
    if (!shown) return;
    const key = index ?? -1;
    setStopping((s) => new Set(s).add(key));
    setActionError(null);
    try {
      setDetail(
        await api.client.sweeps.stop({ id: shown.sweep.id, ...(index !== undefined ? { index } : {}) }),
      );
      toast('success', index === undefined ? `Stopped sweep ${shown.sweep.id}` : `Stopped run ${index}`);
    } catch (e) {
      setActionError((e as Error).message);
    } finally {
      setStopping((s) => {
        const n = new Set(s);
        n.delete(key);
        return n;
      });
    }
  };
  const launched = Boolean(shown?.sweep.executor);
  const live = shown ? shown.runs.some((r) => LIVE.has(r.status)) : false;
  const best = topRuns(points, metric.better, 4).flatMap((p) => (p.runId && runs[p.runId] ? [p.runId] : []));

  return (
    <div className="page" data-testid="sweep-page">
      <div className="page-head">
        <h1>Sweeps</h1>
        <button
          className="btn primary"
          disabled={creating}
          onClick={() => {
            setCreating(true);
            setPlan(null);
          }}
          data-testid="sweep-new"
        >
          New sweep
        </button>
        {sweeps && sweeps.length > 0 && (
          <select
            className="input"
            value={sweepId ?? ''}
            onChange={(e) => {
              setSweepId(e.target.value);
              setSelected(new Set());
              setPlan(null);
            }}
            data-testid="sweep-pick"
          >
            {sweeps.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} · {s.id} ({s.runs} runs{s.executor ? `, ${s.executor}` : ', not launched'})
              </option>
            ))}
          </select>
        )}
        <span className="spacer" />
        <label className="dim">
          metric{' '}
          <select
            className="input"
            value={metricKey}
            onChange={(e) => setMetricKey(e.target.value)}
            data-testid="sweep-metric"
          >
            {SWEEP_METRICS.map((m) => (
              <option key={m.key} value={m.key}>
                {m.label} ({m.better === 'high' ? 'higher' : 'lower'} is better)
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <div className="banner" data-testid="sweep-error">
          {error}
        </div>
      )}
      {actionError && (
        <div className="banner" data-testid="sweep-action-error">
          {actionError}{' '}
          <button className="btn ghost small" onClick={() => setActionError(null)}>
            dismiss
          </button>
        </div>
      )}
      {creating && (
        <NewSweepForm
          defaultPreset={defaultPreset}
          executors={executors}
          onCreate={create}
          onCancel={() => setCreating(false)}
        />
      )}
      {plan && (
        <LaunchConfirm
          plan={plan}
          launching={busy}
          onLaunch={() => void confirmLaunch()}
          onCancel={() => setPlan(null)}
        />
      )}
      {sweeps && sweeps.length === 0 && !creating && (
        <div className="card empty" data-testid="sweep-none">
          No sweeps in this workspace yet. Make one with <b>New sweep</b>, or with{' '}
          <code>mtl-studio sweep create FILE</code> and{' '}
          <code>mtl-studio sweep launch ID --executor local | ssh:T | slurm:T | batch</code>.
        </div>
      )}
      {shown && !creating && !launched && !plan && (
        <div className="card" data-testid="sweep-launch-card">
          <div className="card-head">
            Not launched yet<span className="sub">choose where its {shown.sweep.runs} runs go</span>
          </div>
          <div className="card-body" style={{ display: 'flex', gap: 10, alignItems: 'flex-end' }}>
            <LaunchFields executors={executors} value={launch} onChange={setLaunch} />
            <button
              className="btn primary"
              onClick={() => {
                setActionError(null);
                review(shown.sweep.id, launch).catch((e: Error) => setActionError(e.message));
              }}
              data-testid="sweep-launch"
            >
              Launch…
            </button>
          </div>
        </div>
      )}
      {shown && (
        <>
          <div className="card">
            <div className="card-head">
              <b>{shown.sweep.name}</b>
              <span className="sub" data-testid="sweep-counts">
                {shown.sweep.runs} runs ·{' '}
                {Object.entries(shown.sweep.counts)
                  .map(([k, n]) => `${n} ${k}`)
                  .join(' · ')}
                {shown.sweep.executor
                  ? ` · on ${shown.sweep.executor}${shown.sweep.maxConcurrency ? `, ≤ ${shown.sweep.maxConcurrency} at once` : ''}`
                  : ' · not launched'}
              </span>
              <span className="spacer" />
              {launched && live && (
                <button
                  className="btn danger small"
                  disabled={stopping.has(-1)}
                  onClick={() => void stop()}
                  title="cancel every waiting and training run of this sweep"
                  data-testid="sweep-stop"
                >
                  {stopping.has(-1) ? 'Stopping…' : 'Stop sweep'}
                </button>
              )}
              <button
                className="btn small"
                disabled={selectedIds.length < 2 || selectedIds.length > MAX_COMPARE}
                title={`compare 2–${MAX_COMPARE} selected runs`}
                onClick={() => openCompare(selectedIds)}
                data-testid="sweep-compare-selected"
              >
                Compare selected ({selectedIds.length})
              </button>
              <button
                className="btn small"
                disabled={best.length < 2}
                onClick={() => openCompare(best)}
                data-testid="sweep-compare-best"
              >
                Compare best {best.length}
              </button>
            </div>
            <SweepRunsTable
              points={points}
              sweptKeys={shown.sweptKeys}
              selected={selected}
              onToggle={toggle}
              onOpen={(id) => navigate('run', id)}
              {...(launched ? { onStop: (i: number) => void stop(i), stopping } : {})}
            />
          </div>
          <div className="card">
            <div className="card-head">
              Parallel coordinates{' '}
              <span className="sub">swept keys → {metric.label}; click a line to select</span>
            </div>
            <div className="card-body">
              <ParallelCoordinates
                points={points}
                axes={axes}
                metric={metric}
                selected={selected}
                onToggle={(i) => points.find((p) => p.index === i)?.runId && toggle(i)}
              />
            </div>
          </div>
          <div className="grid-charts">
            <div className="card">
              <div className="card-head">
                Per axis <span className="sub">{metric.label} vs each swept value; seeds as spread</span>
              </div>
              <div className="card-body">
                <MarginalPlots points={points} axes={axes} metric={metric} />
              </div>
            </div>
            <div className="card">
              <div className="card-head">
                Best so far <span className="sub">{metric.label}, runs in the order they finished</span>
              </div>
              <div className="card-body">
                <BestSoFar points={points} metric={metric} />
              </div>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
