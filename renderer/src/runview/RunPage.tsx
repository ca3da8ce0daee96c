// The run view: header with live status and actions, headline numbers, and tabs for curves,
// predictions, histograms, system, checkpoints, log and config. Streams the run while mounted.
import { useState } from 'react';
import { useActions } from '../actions/react.ts';
import { useFollowRuns } from '../api/react.ts';
import { ChartControls } from '../charts/ChartControls.tsx';
import { StatusPill } from '../components/StatusPill.tsx';
import { RunName } from '../components/RunName.tsx';
import { fmtNum, fmtParams } from '../components/format.ts';
import { useStudio } from '../store/index.ts';
import { epochsDone } from '../../../core/api/events.ts';
import { RunCharts } from './RunCharts.tsx';
import { PredictionsPanel } from './predictions/PredictionsPanel.tsx';
import { HistogramsPanel } from './HistogramsPanel.tsx';
import { SystemPanel } from './SystemPanel.tsx';
import { CheckpointsPanel } from './CheckpointsPanel.tsx';
import { LogPanel } from './LogPanel.tsx';
import { ConfigPanel } from './ConfigPanel.tsx';

const TABS = ['curves', 'predictions', 'histograms', 'system', 'checkpoints', 'log', 'config'] as const;
type Tab = (typeof TABS)[number];

export function RunPage() {
  const runId = useStudio((s) => s.activeRunId);
  const run = useStudio((s) => (runId ? s.runs[runId] : undefined));
  const h = useStudio((s) => (runId ? s.histories[runId] : undefined));
  useStudio((s) => (runId ? s.historyVersion[runId] : 0));
  const actions = useActions();
  const [tab, setTab] = useState<Tab>('curves');
  useFollowRuns(runId ? [runId] : []);
  if (!runId || !run)
    return (
      <div className="page empty">
        {runId ? `Loading ${runId}…` : 'No run selected. Open one from the runs table.'}
      </div>
    );

  const act = (id: string) => void actions.executeAction(id, 'ui');
  const can = (id: string) => actions.isEnabled(actions.get(id)!);
  const lastVal = h?.lastVal;
  const step = h?.lastStep?.step ?? run.step;
  const cap = run.config as { train?: { stepsPerEpoch?: number | null; valLimit?: number | null } };

  return (
    <div className="page" data-testid="run-view">
      <div className="page-head" data-testid="run-view-header" data-run-id={run.id} data-status={run.status}>
        <h1>
          <RunName id={run.id} name={run.name} />
        </h1>
        <StatusPill status={run.status} />
        <span className="dim mono">{run.id}</span>
        {run.tags.map((t) => (
          <span className="tag" key={t}>
            {t}
          </span>
        ))}
        <span className="spacer" />
        <button
          className="btn danger"
          disabled={!can('run.stop')}
          onClick={() => act('run.stop')}
          data-testid="stop-run"
        >
          ■ Stop
        </button>
        <button
          className="btn"
          disabled={!can('run.resume')}
          onClick={() => act('run.resume')}
          data-testid="resume-run"
        >
          ↻ Resume
        </button>
        <button
          className="btn"
          disabled={!can('run.fork')}
          onClick={() => act('run.fork')}
          data-testid="fork-run"
        >
          Fork…
        </button>
        <button
          className="btn"
          disabled={!can('run.archive')}
          onClick={() => act('run.archive')}
          data-testid="archive-run"
        >
          Archive
        </button>
        <button className="btn ghost" onClick={() => act('run.reveal')} title="Reveal run folder">
          Reveal folder
        </button>
      </div>
      {h?.lastStatus?.message && run.status === 'failed' && (
        <div className="banner" data-testid="error-banner">
          {h.lastStatus.message}
        </div>
      )}
      <div className="stat-row">
        <Stat
          label="best multitask"
          value={fmtNum(run.best?.metrics.multitask)}
          sub={run.best ? `epoch ${run.best.epoch + 1}` : ''}
        />
        <Stat label="mIoU" value={fmtNum(run.best?.metrics.miou)} sub="%" />
        <Stat label="SI-logRMSE" value={fmtNum(run.best?.metrics.si_log_rmse)} />
        <Stat
          label="last val multitask"
          value={fmtNum(lastVal?.metrics.multitask ?? run.last?.metrics.multitask)}
        />
        <Stat label="epoch" value={`${epochsDone(run)}/${run.epochs}`} />
        <Stat label="step" value={<span data-testid="run-view-step">{step}</span>} />
        <Stat label="ms / step" value={fmtNum(h?.lastStep?.msPerStep ?? run.msPerStep)} />
        <Stat label="params" value={fmtParams(h?.params ?? run.params)} />
      </div>
      {(cap.train?.stepsPerEpoch || cap.train?.valLimit) && (
        <div className="note warn" data-testid="run-caps">
          Capped run: {cap.train.stepsPerEpoch ? `${cap.train.stepsPerEpoch} steps per epoch` : ''}
          {cap.train.stepsPerEpoch && cap.train.valLimit ? ' · ' : ''}
          {cap.train.valLimit ? `validation on ${cap.train.valLimit} images` : ''} — results are not
          comparable with full runs.
        </div>
      )}
      <div className="tabs">
        {TABS.map((t) => (
          <button
            key={t}
            className={tab === t ? 'on' : ''}
            onClick={() => setTab(t)}
            data-testid={`run-tab-${t}`}
          >
            {t}
          </button>
        ))}
        <span className="spacer" />
        {h && (
          <span className="note" style={{ alignSelf: 'center' }}>
            {h.events.toLocaleString('en-US')} events
            {h.resumes ? ` · ${h.resumes} resume${h.resumes > 1 ? 's' : ''} (superseded points dashed)` : ''}
          </span>
        )}
      </div>
      {tab === 'curves' && (
        <>
          <ChartControls />
          <RunCharts runId={run.id} />
        </>
      )}
      {tab === 'predictions' && <PredictionsPanel runId={run.id} />}
      {tab === 'histograms' && <HistogramsPanel runId={run.id} />}
      {tab === 'system' && (
        <>
          <ChartControls />
          <SystemPanel run={run} />
        </>
      )}
      {tab === 'checkpoints' && <CheckpointsPanel run={run} />}
      {tab === 'log' && <LogPanel runId={run.id} />}
      {tab === 'config' && <ConfigPanel run={run} />}
    </div>
  );
}

function Stat({ label, value, sub }: { label: string; value: React.ReactNode; sub?: string }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">
        {value || '—'}
        {sub && <small>{sub}</small>}
      </div>
    </div>
  );
}
