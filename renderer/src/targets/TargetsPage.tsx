// Targets: this machine and every SSH / EC2 target with its last check (reachable, engine version,
// last error), add / test / remove, and the EC2 instances panel when EC2 settings exist.
import { useCallback, useEffect, useState } from 'react';
import type { TargetStatus } from '../../../core/api/studio.ts';
import { useApi } from '../api/react.ts';
import { fmtAgo } from '../components/format.ts';
import { useStudio } from '../store/index.ts';
import { AddTargetForm } from './AddTargetForm.tsx';
import { InstancesPanel } from './InstancesPanel.tsx';
import { targetErrorHint } from './targetErrors.ts';

export function TargetsPage() {
  const api = useApi();
  const toast = useStudio((s) => s.toast);
  const update = useStudio((s) => s.update);
  const system = useStudio((s) => s.system);
  const [targets, setTargets] = useState<TargetStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [testing, setTesting] = useState<Set<string>>(new Set());

  const refresh = useCallback(async () => {
    try {
      setTargets((await api.client.targets.list()).targets);
      setError(null);
      // The new-run target picker reads system.info's targets.
      update({ system: await api.client.system.info() });
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api, update]);
  useEffect(() => void refresh(), [refresh]);

  const test = async (id: string) => {
    setTesting((s) => new Set(s).add(id));
    try {
      const t = await api.client.targets.test({ id });
      setTargets((all) => all?.map((x) => (x.id === id ? t : x)) ?? null);
    } catch (e) {
      toast('error', `Test ${id}: ${(e as Error).message}`);
    } finally {
      setTesting((s) => {
        const n = new Set(s);
        n.delete(id);
        return n;
      });
    }
  };
  const remove = async (id: string) => {
    if (!window.confirm(`Remove target ${id}? Runs mirrored from it stay.`)) return;
    try {
      await api.client.targets.remove({ id });
      toast('info', `Removed target ${id}`);
      await refresh();
    } catch (e) {
      toast('error', `Remove ${id}: ${(e as Error).message}`);
    }
  };

  return (
    <div className="page" data-testid="targets-view">
      <div className="page-head">
        <h1>Targets</h1>
        <span className="dim">where runs train: this machine, SSH hosts, EC2 instances</span>
      </div>
      {error && (
        <div className="banner" data-testid="targets-error">
          {error}
        </div>
      )}
      <div className="card">
        <div className="card-head">Targets</div>
        <div className="card-body">
          <table className="data" data-testid="targets-table">
            <thead>
              <tr>
                <th>name</th>
                <th>kind</th>
                <th>address</th>
                <th>status</th>
                <th>engine</th>
                <th>last error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(targets ?? []).map((t) => (
                <tr key={t.id} data-testid="target-row" data-target={t.id}>
                  <td>
                    <b>{t.id}</b>
                  </td>
                  <td>{t.kind}</td>
                  <td className="mono" title={t.keyFile ? `key ${t.keyFile}` : undefined}>
                    {t.kind === 'local' ? t.label : `${t.user}@${t.host}:${t.port}`}
                  </td>
                  <td data-testid="target-status">
                    <TargetState t={t} testing={testing.has(t.id)} />
                  </td>
                  <td className="mono">
                    {t.kind === 'local' ? (system?.version ?? '') : (t.check?.engine ?? '—')}
                    {t.check?.freeMb !== undefined && (
                      <span className="dim"> · {(t.check.freeMb / 1000).toFixed(1)} GB free</span>
                    )}
                  </td>
                  <td data-testid="target-error" style={{ maxWidth: 520, whiteSpace: 'normal' }}>
                    {t.check && !t.check.ok && (
                      <>
                        <div style={{ color: 'var(--err)' }}>
                          {targetErrorHint(t.check.code) || t.check.code}
                        </div>
                        <div className="dim" style={{ fontSize: 11 }}>
                          {t.check.error}
                        </div>
                      </>
                    )}
                  </td>
                  <td style={{ whiteSpace: 'nowrap' }}>
                    {t.kind !== 'local' && (
                      <>
                        <button
                          className="btn small"
                          disabled={testing.has(t.id)}
                          onClick={() => void test(t.id)}
                          data-testid="target-test"
                        >
                          Test
                        </button>{' '}
                        <button
                          className="btn small ghost"
                          onClick={() => void remove(t.id)}
                          data-testid="target-remove"
                        >
                          Remove
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <AddTargetForm
        onAdded={(name) => {
          toast('success', `Added target ${name}`);
          void refresh().then(() => test(name));
        }}
      />
      <InstancesPanel />
    </div>
  );
}

/** Why no session was opened, when the host answered but refused us. */
const NOT_CONNECTED: Record<string, string> = {
  'auth-failed': 'login refused',
  'host-key-unknown': 'host key not trusted',
  'host-key-changed': 'host key changed',
  'bad-config': 'invalid settings',
};

function TargetState({ t, testing }: { t: TargetStatus; testing: boolean }) {
  if (t.kind === 'local') return <span style={{ color: 'var(--ok)' }}>● available</span>;
  if (testing) return <span className="dim">testing…</span>;
  if (!t.check) return <span className="dim">not tested</span>;
  const color = t.check.ok ? 'var(--ok)' : t.check.reachable ? 'var(--warn)' : 'var(--err)';
  const label = t.check.ok
    ? 'ready'
    : t.check.reachable
      ? 'reachable, not ready'
      : (NOT_CONNECTED[t.check.code ?? ''] ?? 'unreachable');
  return (
    <span style={{ color }} title={new Date(t.check.at).toLocaleString()}>
      ● {label} <span className="faint">{fmtAgo(t.check.at)}</span>
    </span>
  );
}
