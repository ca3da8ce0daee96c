// Dataset: the built-in synthetic scenes (generated on first use, sizes from data.synthetic.*) or a
// Miniscapes-format folder on the engine's machine, checked with data.validate before use.
import { useEffect, useState } from 'react';
import type { DatasetInfo } from '../../../core/api/studio.ts';
import { useApi } from '../api/react.ts';

export interface DatasetPickerProps {
  root: string;
  onRoot: (root: string) => void;
  onSynthetic: (settings: Record<string, unknown>) => void;
}

const OTHER = '__other__';

export function DatasetPicker({ root, onRoot, onSynthetic }: DatasetPickerProps) {
  const api = useApi();
  const [datasets, setDatasets] = useState<DatasetInfo[]>([]);
  const [other, setOther] = useState(false);
  const [folder, setFolder] = useState(root === 'synthetic' ? '' : root);
  const [check, setCheck] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    api.client.data.datasets().then(
      (r) => setDatasets(r.datasets),
      () => setDatasets([]),
    );
  }, [api]);
  const folders = datasets.filter((d) => d.kind === 'folder');
  const generated = datasets.filter((d) => d.kind === 'synthetic');
  const known = root === 'synthetic' || folders.some((d) => d.root === root);
  const selectValue = other || !known ? OTHER : root;

  const validate = async () => {
    setCheck(null);
    try {
      const r = await api.client.data.validate({ root: folder });
      if (r.ok && r.dataset) {
        const s = r.dataset.splits;
        const size = r.dataset.size ? ` · ${r.dataset.size.height}×${r.dataset.size.width}` : '';
        setCheck({ ok: true, text: `train ${s.train} · val ${s.val} · test ${s.test}${size}` });
        onRoot(folder);
      } else setCheck({ ok: false, text: r.problems.join('; ') || 'not a Miniscapes folder' });
    } catch (e) {
      setCheck({ ok: false, text: (e as Error).message });
    }
  };

  return (
    <div className="card">
      <div className="card-head">Dataset</div>
      <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
        <select
          className="input"
          value={selectValue}
          data-testid="dataset-picker"
          onChange={(e) => {
            const v = e.target.value;
            setOther(v === OTHER);
            setCheck(null);
            if (v !== OTHER) onRoot(v);
          }}
        >
          <option value="synthetic">Synthetic scenes (built-in generator)</option>
          {folders.map((d) => (
            <option key={d.path} value={d.root}>
              {d.label} — {d.splits.train}/{d.splits.val}/{d.splits.test}
            </option>
          ))}
          <option value={OTHER}>Folder…</option>
        </select>
        {selectValue === 'synthetic' && (
          <>
            <div className="note">
              Generated in the workspace on first use, in the exact Miniscapes format. Sizes: the
              data.synthetic.* keys.
            </div>
            {generated.length > 0 && (
              <span className="note">Already generated (click to reuse its sizes):</span>
            )}
            {generated.map((d) => (
              <button
                key={d.path}
                className="btn small"
                style={{ justifyContent: 'space-between' }}
                onClick={() => d.synthetic && onSynthetic(d.synthetic)}
                title={d.path}
              >
                <span>{d.label}</span>
                <span className="faint">
                  {d.splits.train}/{d.splits.val}/{d.splits.test}
                </span>
              </button>
            ))}
          </>
        )}
        {selectValue === OTHER && (
          <div style={{ display: 'flex', gap: 6 }}>
            <input
              className="input"
              style={{ flex: 1 }}
              placeholder="/path/to/miniscapes"
              value={folder}
              onChange={(e) => setFolder(e.target.value)}
              data-testid="dataset-path"
            />
            <button className="btn" disabled={!folder} onClick={validate} data-testid="dataset-validate">
              Check and use
            </button>
          </div>
        )}
        {check && <div className={`note ${check.ok ? '' : 'warn'}`}>{check.text}</div>}
      </div>
    </div>
  );
}
