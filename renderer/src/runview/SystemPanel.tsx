// Backend, step time, memory and parameters of a run, with their curves.
import { useMemo } from 'react';
import type { RunInfo } from '../../../core/api/studio.ts';
import { CurveChart } from '../charts/CurveChart.tsx';
import { historySeries } from '../charts/series.ts';
import { fmtNum, fmtParams } from '../components/format.ts';
import { useStudio, useStudioShallow } from '../store/index.ts';
import { RemoteSyncCard } from './RemoteSyncCard.tsx';

export function SystemPanel({ run }: { run: RunInfo }) {
  const h = useStudio((s) => s.histories[run.id]);
  const version = useStudio((s) => s.historyVersion[run.id] ?? 0);
  const opts = useStudioShallow((s) => ({
    smoothing: s.smoothing,
    showRaw: s.showRaw,
    showSuperseded: s.showSuperseded,
    maxPoints: s.maxPoints,
  }));
  const series = useMemo(
    () => ({
      ms: [
        historySeries(h, 'sys.msPerStep', 'sys.msPerStep', 'ms/step', '#4e9cf5'),
        historySeries(h, 'sys.dataWaitMs', 'sys.dataWaitMs', 'waiting for data', '#e0607e'),
      ],
      ips: [historySeries(h, 'sys.imagesPerSec', 'sys.imagesPerSec', 'images/s', '#50c878')],
      rss: [historySeries(h, 'sys.rssMb', 'sys.rssMb', 'RSS MB', '#f5a623')],
      tensors: [historySeries(h, 'sys.tensors', 'sys.tensors', 'live tensors', '#b27cf5')],
    }),
    [h, version],
  );
  const start = h?.starts.at(-1);
  const last = h?.lastStep;
  const backend = h?.backend ?? run.backend;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }} data-testid="system-panel">
      <div className="card">
        <div className="card-head">System</div>
        <div className="card-body">
          <dl className="kv">
            <dt>backend</dt>
            <dd data-testid="backend-name">
              {backend
                ? `${backend.name} ${backend.version}${backend.simd ? ' · SIMD' : ''}${backend.threads ? ` · ${backend.threads} thread${backend.threads === 1 ? '' : 's'}` : ''}${backend.device ? ` · ${backend.device}` : ''}${backend.note ? ` — ${backend.note}` : ''}`
                : '—'}
            </dd>
            {backend?.adapter && (
              <>
                <dt>adapter</dt>
                <dd data-testid="backend-adapter">
                  {`${backend.adapter.description || backend.adapter.device} · ${backend.adapter.vendor} ${backend.adapter.architecture}`}
                  {backend.software ? ' · software adapter (correct, not fast)' : ' · hardware'}
                  {backend.adapter.limits.maxBufferSize
                    ? ` · max buffer ${fmtNum(backend.adapter.limits.maxBufferSize / 2 ** 20)} MiB`
                    : ''}
                </dd>
              </>
            )}
            <dt>parameters</dt>
            <dd>{fmtParams(h?.params ?? run.params)}</dd>
            <dt>step time</dt>
            <dd>
              {last ? `${fmtNum(last.msPerStep)} ms (last)` : '—'}
              {last?.dataWaitMs !== undefined && ` · ${fmtNum(last.dataWaitMs)} ms of it waiting for data`}
              {run.msPerStep !== undefined && ` · ${fmtNum(run.msPerStep)} ms median`}
            </dd>
            <dt>throughput</dt>
            <dd>{last ? `${fmtNum(last.imagesPerSec)} images/s` : '—'}</dd>
            <dt>memory</dt>
            <dd>
              {last
                ? `${fmtNum(last.memory.rssMb)} MB RSS · ${last.memory.tensors} tensors · ${fmtNum(last.memory.bytes / 2 ** 20)} MiB tensor memory`
                : '—'}
              {run.peakRssMb !== undefined && ` · peak ${fmtNum(run.peakRssMb)} MB`}
            </dd>
            <dt>host</dt>
            <dd>{start ? `${start.host} · pid ${start.pid}` : '—'}</dd>
            <dt>target</dt>
            <dd>{run.target}</dd>
            <dt>segments</dt>
            <dd>
              {h
                ? `${h.starts.length} start${h.starts.length === 1 ? '' : 's'}, ${h.resumes} resume${h.resumes === 1 ? '' : 's'}`
                : '—'}
            </dd>
          </dl>
        </div>
      </div>
      <RemoteSyncCard runId={run.id} />
      <div className="grid-charts">
        <CurveChart title="ms per step" series={series.ms} {...opts} />
        <CurveChart title="Images per second" series={series.ips} {...opts} />
        <CurveChart title="Process RSS (MB)" series={series.rss} {...opts} smoothing={0} />
        <CurveChart title="Live tensors" series={series.tensors} {...opts} smoothing={0} />
      </div>
    </div>
  );
}
