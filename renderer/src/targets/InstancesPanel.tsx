// EC2 instances the studio launched: list with state, price and deadline; launch on-demand or spot
// from the workspace's EC2 settings with overrides; terminate. Shown only when EC2 settings exist.
import { useCallback, useEffect, useState } from 'react';
import type { CallResponse } from '../../../core/api/studio.ts';
import { useApi } from '../api/react.ts';
import { useStudio } from '../store/index.ts';

type Listing = CallResponse<'instances.list'>;

export function InstancesPanel() {
  const api = useApi();
  const toast = useStudio((s) => s.toast);
  const [list, setList] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<Record<string, string>>({});

  const refresh = useCallback(() => {
    api.client.instances.list().then(
      (l) => {
        setList(l);
        setError(null);
        if (l.defaults)
          setForm((f) =>
            Object.keys(f).length
              ? f
              : {
                  name: 'mtl-gpu',
                  instanceType: l.defaults!.instanceType,
                  ami: l.defaults!.ami,
                  keyName: l.defaults!.keyName,
                  securityGroupIds: l.defaults!.securityGroupIds.join(','),
                  volumeGb: String(l.defaults!.volumeGb),
                  market: l.defaults!.market,
                  maxHours: String(l.defaults!.maxHours),
                },
          );
      },
      (e: Error) => setError(e.message),
    );
  }, [api]);
  useEffect(refresh, [refresh]);

  if (error)
    return (
      <div className="banner" data-testid="instances-error">
        EC2: {error}
      </div>
    );
  if (!list?.configured) return null;

  const launch = async () => {
    setBusy(true);
    try {
      const i = await api.client.instances.launch({
        name: form.name,
        instanceType: form.instanceType,
        ami: form.ami,
        keyName: form.keyName,
        securityGroupIds: form.securityGroupIds
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
        volumeGb: Number(form.volumeGb),
        market: form.market as 'spot' | 'on-demand',
        maxHours: Number(form.maxHours),
      });
      toast('success', `Launched ${i.id} (${i.market} ${i.type})`);
      refresh();
    } catch (e) {
      toast('error', `Launch: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const terminate = async (id: string) => {
    try {
      await api.client.instances.terminate({ id });
      toast('info', `Terminating ${id}`);
      refresh();
    } catch (e) {
      toast('error', `Terminate ${id}: ${(e as Error).message}`);
    }
  };
  const input = (k: string, label: string, width = 120) => (
    <label style={{ display: 'flex', flexDirection: 'column', gap: 3, fontSize: 11 }} className="dim">
      {label}
      <input
        className="input"
        style={{ width }}
        value={form[k] ?? ''}
        onChange={(e) => setForm({ ...form, [k]: e.target.value })}
        data-testid={`instance-${k}`}
      />
    </label>
  );

  return (
    <div className="card" data-testid="instances-panel">
      <div className="card-head">
        EC2 instances<span className="sub">instances power off by themselves at their deadline</span>
        <span className="spacer" />
        <button className="btn small ghost" onClick={refresh}>
          Refresh
        </button>
      </div>
      <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        {list.instances.length === 0 ? (
          <div className="dim">No studio instances.</div>
        ) : (
          <table className="data" data-testid="instances-table">
            <thead>
              <tr>
                <th>instance</th>
                <th>name</th>
                <th>state</th>
                <th>type</th>
                <th>market</th>
                <th>address</th>
                <th>run</th>
                <th className="num">$/hour</th>
                <th>deadline</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.instances.map((i) => (
                <tr key={i.id} data-testid="instance-row">
                  <td className="mono">{i.id}</td>
                  <td>{i.name ?? ''}</td>
                  <td>{i.state}</td>
                  <td className="mono">{i.type}</td>
                  <td>{i.market}</td>
                  <td className="mono">{i.publicIp ?? '—'}</td>
                  <td className="mono">{i.run ?? ''}</td>
                  <td className="num">{i.hourlyUsd === null ? 'unknown' : `$${i.hourlyUsd.toFixed(3)}`}</td>
                  <td className="dim">{i.deadline ? new Date(i.deadline).toLocaleString() : ''}</td>
                  <td>
                    <button
                      className="btn small danger"
                      disabled={i.state === 'terminated' || i.state === 'shutting-down'}
                      onClick={() => void terminate(i.id)}
                      data-testid="instance-terminate"
                    >
                      Terminate
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="toolbar" style={{ flexWrap: 'wrap', alignItems: 'flex-end' }}>
          {input('name', 'name')}
          <label style={{ display: 'flex', flexDirection: 'column', gap: 3, fontSize: 11 }} className="dim">
            market
            <select
              className="input"
              value={form.market ?? 'spot'}
              onChange={(e) => setForm({ ...form, market: e.target.value })}
              data-testid="instance-market"
            >
              <option value="spot">spot</option>
              <option value="on-demand">on-demand</option>
            </select>
          </label>
          {input('instanceType', 'type', 110)}
          {input('ami', 'AMI', 170)}
          {input('keyName', 'key pair', 110)}
          {input('securityGroupIds', 'security groups (comma)', 170)}
          {input('volumeGb', 'volume GB', 70)}
          {input('maxHours', 'deadline (hours)', 90)}
          <button
            className="btn primary"
            disabled={busy}
            onClick={() => void launch()}
            data-testid="instance-launch"
          >
            {busy ? 'Launching…' : 'Launch'}
          </button>
        </div>
      </div>
    </div>
  );
}
