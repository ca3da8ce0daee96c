// Pick extra columns: any metric (best/last), run fact or config key path, with search.
import { useMemo, useState } from 'react';
import { choosableColumns } from './columns.ts';

export function ColumnChooser({ columns, onChange }: { columns: string[]; onChange: (c: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const all = useMemo(() => choosableColumns(), []);
  const shown = all.filter((c) => c.toLowerCase().includes(q.toLowerCase()));
  return (
    <span style={{ position: 'relative' }}>
      <button className="btn" onClick={() => setOpen(!open)} data-testid="column-chooser">
        Columns ({columns.length}) ▾
      </button>
      {open && (
        <div
          className="card"
          style={{
            position: 'absolute',
            right: 0,
            top: 30,
            zIndex: 20,
            width: 300,
            maxHeight: 420,
            display: 'flex',
            flexDirection: 'column',
            boxShadow: '0 12px 30px rgba(0,0,0,.45)',
          }}
          onMouseLeave={() => setOpen(false)}
        >
          <input
            className="input"
            style={{ margin: 8 }}
            autoFocus
            placeholder="search keys and metrics…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            data-testid="column-search"
          />
          <div style={{ overflow: 'auto', padding: '0 8px 8px' }}>
            {shown.map((c) => (
              <label key={c} className="check" style={{ display: 'flex', padding: '2px 0' }}>
                <input
                  type="checkbox"
                  checked={columns.includes(c)}
                  onChange={() =>
                    onChange(columns.includes(c) ? columns.filter((x) => x !== c) : [...columns, c])
                  }
                />
                <span className="mono">{c}</span>
              </label>
            ))}
          </div>
        </div>
      )}
    </span>
  );
}
