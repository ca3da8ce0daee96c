// Sync state of a run mirrored from a remote target: link phase, mirrored offset of the event log,
// last contact, S3 checkpoint sync and cost. Polls while shown; renders nothing for local runs
// (where the remote.json that core/cloud writes beside a mirrored run is absent).
import { useEffect, useState } from 'react';
import type { SyncStatus } from '../../../core/api/studio.ts';
import { useApi } from '../api/react.ts';
import { fmtAgo } from '../components/format.ts';
import { useStudio } from '../store/index.ts';

const PHASE_COLOR: Record<string, string> = {
  streaming: 'var(--ok)',
  done: 'var(--ok)',
  launching: 'var(--warn)',
  reconnecting: 'var(--warn)',
  lost: 'var(--err)',
};

export function RemoteSyncCard({ runId, pollMs = 3000 }: { runId: string; pollMs?: number }) {
  const api = useApi();
  const toast = useStudio((s) => s.toast);
  const [st, setSt] = useState<SyncStatus | null>(null);
  useEffect(() => {
    let alive = true;
    // A local run stays local: stop polling after the first answer says so.
    const load = () =>
      api.client.sync.status({ id: runId }).then(
        (s) => {
          if (!alive) return;
          setSt(s);
          if (!s.remote) clearInterval(t);
        },
        () => undefined, // the system panel stays usable; the next poll retries
      );
    const t = setInterval(load, pollMs);
    void load();
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [api, runId, pollMs]);
  if (!st?.remote) return null;

  const syncNow = async () => {
    try {
      setSt(await api.client.sync.now({ id: runId }));
    } catch (e) {
      toast('error', `Sync: ${(e as Error).message}`);
    }
  };
  return (
    <div className="card" data-testid="remote-sync">
      <div className="card-head">
        Remote<span className="sub">mirrored from {st.target}</span>
        <span className="spacer" />
        {st.phase !== 'done' && !st.following && (
          <button className="btn small" onClick={() => void syncNow()} data-testid="sync-now">
            Reconnect now
          </button>
        )}
      </div>
      <div className="card-body">
        <dl className="kv">
          <dt>link</dt>
          <dd data-testid="sync-phase">
            <span style={{ color: PHASE_COLOR[st.phase ?? ''] ?? 'inherit' }}>● {st.phase}</span>
            {st.following ? ' · followed by this studio' : ''}
            {st.message ? <span className="dim"> · {st.message}</span> : null}
          </dd>
          <dt>host</dt>
          <dd className="mono">{st.host}</dd>
          <dt>events synced</dt>
          <dd data-testid="sync-offset">
            {(st.eventsOffset ?? 0).toLocaleString()} bytes · {st.filesMirrored ?? 0} files mirrored
          </dd>
          <dt>last contact</dt>
          <dd data-testid="sync-contact">
            {st.lastContact
              ? `${new Date(st.lastContact).toLocaleString()} (${fmtAgo(st.lastContact)})`
              : '—'}
          </dd>
          <dt>S3 sync</dt>
          <dd data-testid="sync-s3">
            {st.s3Prefix ? `${st.s3Pusher ? 'pushing checkpoints to' : 'configured:'} ${st.s3Prefix}` : 'off'}
          </dd>
          {st.instanceId && (
            <>
              <dt>instance</dt>
              <dd className="mono">
                {st.instanceId}
                {st.cost &&
                  ` · $${st.cost.hourlyUsd.toFixed(3)}/h · $${st.cost.usd.toFixed(2)} over ${(st.cost.seconds / 3600).toFixed(1)} h`}
              </dd>
            </>
          )}
        </dl>
      </div>
    </div>
  );
}
