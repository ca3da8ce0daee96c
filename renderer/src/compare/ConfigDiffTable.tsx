// Config diff across the compared runs: one row per key, differing rows highlighted, "differences
// only", and a checkbox per key to mark it as the variable under study.
import type { RunInfo } from '../../../core/api/studio.ts';
import { diffConfigs, formatValue, NON_CONFOUNDING_KEYS } from '../lib/configDiff.ts';
import { RunName } from '../components/RunName.tsx';

export interface ConfigDiffTableProps {
  runs: RunInfo[];
  /** Swatch colours of the compared set (distinct). */
  colors?: Map<string, string>;
  variables: string[];
  differencesOnly: boolean;
  confounderKeys: ReadonlySet<string>;
  onToggleVariable: (key: string) => void;
  onDifferencesOnly: (v: boolean) => void;
}

export function ConfigDiffTable(p: ConfigDiffTableProps) {
  const rows = diffConfigs(p.runs.map((r) => r.config));
  const differing = rows.filter((r) => r.differs).length;
  const shown = p.differencesOnly ? rows.filter((r) => r.differs) : rows;
  return (
    <div className="card" data-testid="config-diff">
      <div className="card-head">
        Config diff
        <span className="sub">
          {differing} of {rows.length} keys differ
        </span>
        <span className="spacer" />
        <label className="check">
          <input
            type="checkbox"
            checked={p.differencesOnly}
            onChange={(e) => p.onDifferencesOnly(e.target.checked)}
            data-testid="diff-only"
          />
          differences only
        </label>
      </div>
      <div style={{ maxHeight: 420, overflow: 'auto' }}>
        <table className="data">
          <thead>
            <tr>
              <th title="Mark the key(s) you are studying; every other difference is a confounder">
                variable
              </th>
              <th>key</th>
              {p.runs.map((r) => (
                <th key={r.id}>
                  <RunName id={r.id} name={r.name} color={p.colors?.get(r.id)} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr
                key={row.key}
                className={`${row.differs ? 'diff' : ''} ${p.confounderKeys.has(row.key) ? 'confounder' : ''}`}
                data-testid="diff-row"
                data-key={row.key}
                data-differs={String(row.differs)}
              >
                <td style={{ width: 60, textAlign: 'center' }}>
                  <input
                    type="checkbox"
                    checked={p.variables.includes(row.key)}
                    onChange={() => p.onToggleVariable(row.key)}
                    data-testid="mark-variable"
                    aria-label={`study ${row.key}`}
                  />
                </td>
                <td className="mono" style={{ color: row.differs ? 'var(--warn)' : undefined }}>
                  {row.key}
                  {row.differs && NON_CONFOUNDING_KEYS.includes(row.key) && (
                    <span className="faint"> (label only)</span>
                  )}
                </td>
                {row.values.map((v, i) => (
                  <td key={i} className="mono">
                    {formatValue(v)}
                  </td>
                ))}
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={2 + p.runs.length} className="dim">
                  The configs are identical.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
