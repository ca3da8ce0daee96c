// Add an SSH target: host, port, user, key file, known_hosts. An unknown host key is shown with its
// fingerprint and trusted only when the user confirms it (trust on first use).
import { useState } from 'react';
import { useApi } from '../api/react.ts';
import { codeFromMessage, targetErrorHint } from './targetErrors.ts';

interface HostKey {
  fingerprint: string;
  keyType: string;
  knownHosts: string;
}

const EMPTY = { name: '', host: '', port: '22', user: '', keyFile: '', knownHosts: '', remoteRoot: '' };

export function AddTargetForm({ onAdded }: { onAdded: (name: string) => void }) {
  const api = useApi();
  const [f, setF] = useState(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [hostKey, setHostKey] = useState<HostKey | null>(null);
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) => {
    setF({ ...f, [k]: e.target.value });
    setHostKey(null);
  };

  const submit = async (trustFingerprint?: string) => {
    setBusy(true);
    setError(null);
    try {
      const port = Number(f.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new Error(`port: "${f.port}" is not 1–65535`);
      const r = await api.client.targets.add({
        name: f.name.trim(),
        host: f.host.trim(),
        port,
        user: f.user.trim(),
        keyFile: f.keyFile.trim(),
        ...(f.knownHosts.trim() ? { knownHosts: f.knownHosts.trim() } : {}),
        ...(f.remoteRoot.trim() ? { remoteRoot: f.remoteRoot.trim() } : {}),
        ...(trustFingerprint ? { trustFingerprint } : {}),
      });
      if (!r.ok) {
        setHostKey(r.hostKey);
        return;
      }
      setHostKey(null);
      setF(EMPTY);
      onAdded(r.target.id);
    } catch (e) {
      const msg = (e as Error).message;
      const hint = targetErrorHint(codeFromMessage(msg));
      setError(hint ? `${hint} (${msg})` : msg);
    } finally {
      setBusy(false);
    }
  };

  const field = (k: keyof typeof EMPTY, label: string, placeholder: string, width = 180) => (
    <label style={{ display: 'flex', flexDirection: 'column', gap: 3, fontSize: 11 }} className="dim">
      {label}
      <input
        className="input"
        style={{ width }}
        value={f[k]}
        placeholder={placeholder}
        onChange={set(k)}
        data-testid={`target-${k}`}
      />
    </label>
  );

  return (
    <div className="card" data-testid="add-target">
      <div className="card-head">
        Add SSH target<span className="sub">the host key is checked before any login</span>
      </div>
      <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        <div className="toolbar" style={{ flexWrap: 'wrap', alignItems: 'flex-end' }}>
          {field('name', 'name', 'gpu-box', 120)}
          {field('host', 'host', '10.0.0.5')}
          {field('port', 'port', '22', 60)}
          {field('user', 'user', 'ubuntu', 100)}
          {field('keyFile', 'private key file', '~/.ssh/id_ed25519', 220)}
          {field('knownHosts', 'known_hosts (optional)', 'workspace cloud/known_hosts', 220)}
          {field('remoteRoot', 'remote folder (optional)', '.mtl-studio', 140)}
          <button
            className="btn primary"
            disabled={busy || !f.name || !f.host || !f.user || !f.keyFile}
            onClick={() => void submit()}
            data-testid="target-add"
          >
            {busy ? 'Connecting…' : 'Add'}
          </button>
        </div>
        {hostKey && (
          <div className="note warn" data-testid="host-key-confirm">
            <div>
              <b>Unknown host key</b> for {f.host}:{f.port}: {hostKey.keyType}{' '}
              <code data-testid="host-key-fingerprint">{hostKey.fingerprint}</code>. Compare it with the
              server's (<code>ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub</code> or the cloud console) before
              trusting it; it will be added to {hostKey.knownHosts}.
            </div>
            <div className="toolbar" style={{ marginTop: 6 }}>
              <button
                className="btn primary small"
                disabled={busy}
                onClick={() => void submit(hostKey.fingerprint)}
                data-testid="host-key-trust"
              >
                Trust and add
              </button>
              <button className="btn small" onClick={() => setHostKey(null)}>
                Cancel
              </button>
            </div>
          </div>
        )}
        {error && (
          <div className="banner" data-testid="add-target-error">
            {error}
          </div>
        )}
      </div>
    </div>
  );
}
