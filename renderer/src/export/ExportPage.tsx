// Export: the submission archive of a run (predict test split → zip) with live progress, reveal in
// folder, and the CSV exports. Charts and prediction grids save from their own PNG/SVG buttons.
import { useEffect, useMemo, useState } from 'react';
import { useActions } from '../actions/react.ts';
import { useApi } from '../api/react.ts';
import { useStudio, useStudioShallow, useStudioStore } from '../store/index.ts';
import { JobRow } from './JobRow.tsx';

export function ExportPage() {
  const api = useApi();
  const actions = useActions();
  const s = useStudioShallow((st) => ({
    runs: st.runs,
    jobs: st.jobs,
    activeRunId: st.activeRunId,
    selected: st.selected,
  }));
  const toast = useStudio((st) => st.toast);
  const setJob = useStudio((st) => st.setJob);
  const store = useStudioStore();
  const candidates = useMemo(
    () => Object.values(s.runs).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    [s.runs],
  );
  const [runId, setRunId] = useState<string>(() => s.activeRunId ?? s.selected[0] ?? candidates[0]?.id ?? '');
  const [checkpoint, setCheckpoint] = useState('best');
  const [jobId, setJobId] = useState<string | null>(null);
  // Newest first; the job shown in the archive card above is not repeated.
  const jobs = Object.values(s.jobs)
    .reverse()
    .filter((j) => j.jobId !== jobId);
  const job = jobId ? s.jobs[jobId] : undefined;
  const run = s.runs[runId];

  useEffect(() => {
    if (!runId && candidates[0]) setRunId(candidates[0].id);
  }, [runId, candidates]);
  // Jobs started before this page opened (or in another window).
  useEffect(() => {
    api.client.jobs.list().then(
      (r) => r.jobs.forEach(setJob),
      () => {},
    );
  }, [api, setJob]);

  const start = async () => {
    try {
      const r = await api.client.runs.archive({ id: runId, checkpoint });
      setJobId(r.jobId);
      // Progress may already have been pushed before this answer arrived: never overwrite it.
      if (!store.getState().jobs[r.jobId])
        setJob({
          jobId: r.jobId,
          kind: 'archive',
          runId,
          state: 'running',
          done: 0,
          total: 0,
          message: 'starting…',
        });
    } catch (e) {
      toast('error', (e as Error).message);
    }
  };

  return (
    <div className="page" data-testid="export-view">
      <div className="page-head">
        <h1>Export</h1>
      </div>
      <div
        style={{
          display: 'grid',
          gridTemplateColumns: 'minmax(0, 1.3fr) minmax(0, 1fr)',
          gap: 12,
          alignItems: 'start',
        }}
      >
        <div className="card">
          <div className="card-head">Submission archive</div>
          <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
            <div className="note">
              Predicts the test split with the chosen checkpoint and writes one zip:
              predictions/semseg/&lt;i&gt;.png, predictions/depth/&lt;i&gt;.png, the checkpoint, config,
              source and training log — the format the grader scores.
            </div>
            <div className="toolbar">
              <select
                className="input"
                style={{ minWidth: 280 }}
                value={runId}
                onChange={(e) => setRunId(e.target.value)}
                data-testid="export-run-select"
              >
                {candidates.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name} · {r.status}
                    {r.best ? ` · best ${r.best.metrics.multitask.toFixed(1)}` : ''} · {r.id}
                  </option>
                ))}
              </select>
              <select
                className="input"
                value={checkpoint}
                onChange={(e) => setCheckpoint(e.target.value)}
                data-testid="export-checkpoint-select"
              >
                <option value="best">best checkpoint</option>
                <option value="last">last checkpoint</option>
              </select>
              <button
                className="btn primary"
                disabled={!run || job?.state === 'running'}
                onClick={start}
                data-testid="archive-start"
              >
                Write archive
              </button>
            </div>
            {run && !run.best && <div className="note warn">This run has no validated checkpoint yet.</div>}
            {job && <JobRow job={job} testId="archive-progress" />}
          </div>
        </div>
        <div className="card">
          <div className="card-head">CSV exports</div>
          <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
            <div className="note">
              The run table with the columns chosen in the runs view and a notes column (say where each run is
              used in the report), and the scores sheet.{' '}
              {s.selected.length > 0
                ? `${s.selected.length} selected runs.`
                : 'All runs (select runs in the table to export fewer).'}
            </div>
            <div className="toolbar">
              <button
                className="btn"
                onClick={() => void actions.executeAction('export.runsCsv', 'ui')}
                data-testid="export-csv"
              >
                Run table CSV
              </button>
              <button
                className="btn"
                onClick={() => void actions.executeAction('export.scoresCsv', 'ui')}
                data-testid="export-scores-csv"
              >
                Scores sheet CSV
              </button>
            </div>
            <div className="note">
              Figures: every chart has PNG / SVG buttons; the predictions panel saves its grid as PNG.
            </div>
          </div>
        </div>
      </div>
      <div className="section-title">Other jobs this session</div>
      {jobs.length === 0 ? (
        <div className="note">None.</div>
      ) : (
        jobs.map((j) => <JobRow key={j.jobId} job={j} />)
      )}
    </div>
  );
}
