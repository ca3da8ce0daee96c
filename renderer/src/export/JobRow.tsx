import type { JobProgress } from '../../../core/api/studio.ts';
import { useApi } from '../api/react.ts';
import { fmtBytes } from '../components/format.ts';
import { useStudio } from '../store/index.ts';

/** One long operation with its progress; for finished archives: reveal in folder and download. */
export function JobRow({ job, testId }: { job: JobProgress; testId?: string }) {
  const api = useApi();
  const toast = useStudio((s) => s.toast);
  const pct = job.total > 0 ? (100 * job.done) / job.total : job.state === 'done' ? 100 : 0;
  const path = typeof job.result?.path === 'string' ? job.result.path : undefined;
  const url = typeof job.result?.url === 'string' ? job.result.url : undefined;
  const bytes = typeof job.result?.bytes === 'number' ? job.result.bytes : undefined;
  const reveal = async () => {
    if (!job.runId) return;
    try {
      const r = await api.client.runs.revealInFolder({ id: job.runId, path });
      toast('info', r.opened ? `Opened ${r.path}` : `File: ${r.path}`);
    } catch (e) {
      toast('error', (e as Error).message);
    }
  };
  return (
    <div
      className="card"
      style={{ padding: 10, display: 'flex', flexDirection: 'column', gap: 6 }}
      data-testid={testId ?? 'job-row'}
      data-state={job.state}
      data-path={path}
    >
      <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
        <b>{job.kind}</b>
        <span className="dim mono">{job.runId}</span>
        <span
          className={`status ${job.state === 'done' ? 'completed' : job.state === 'running' ? 'running' : 'failed'}`}
        >
          <span className="dot" />
          {job.state}
        </span>
        <span className="spacer" />
        {job.state === 'running' && (
          <button
            className="btn small"
            onClick={() =>
              void api.client.jobs.cancel({ jobId: job.jobId }).catch((e: Error) => toast('error', e.message))
            }
          >
            Cancel
          </button>
        )}
        {job.state === 'done' && path && (
          <button
            className="btn small"
            onClick={reveal}
            data-testid={testId === 'archive-progress' ? 'reveal-in-folder' : 'job-reveal'}
          >
            Reveal in folder
          </button>
        )}
        {job.state === 'done' && url && (
          <a className="btn small" href={api.loadableUrl(url)} download>
            Download{bytes !== undefined ? ` (${fmtBytes(bytes)})` : ''}
          </a>
        )}
      </div>
      <div className="progress">
        <div style={{ width: `${pct}%`, background: job.state === 'failed' ? 'var(--err)' : undefined }} />
      </div>
      <div className="note">
        {job.total > 0 ? `${job.done} / ${job.total} · ` : ''}
        {job.error ? <span style={{ color: 'var(--err)' }}>{job.error.message}</span> : job.message}
        {path && <span className="mono"> · {path}</span>}
      </div>
    </div>
  );
}
