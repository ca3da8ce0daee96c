// The swept keys: each axis a config key, a kind (a grid of values, or a random draw from a list
// or a range) and its values; random axes share the sample count and the draw's seed.
import { AXIS_KINDS, emptyAxis, type AxisDraft, type AxisKind, type SweepDraft } from './sweepDraft.ts';

export function AxesEditor(props: {
  draft: SweepDraft;
  issues: Record<string, string>;
  onChange: (patch: Partial<SweepDraft>) => void;
}) {
  const { draft: d, issues, onChange } = props;
  const setAxis = (i: number, patch: Partial<AxisDraft>) =>
    onChange({ axes: d.axes.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  const anyRandom = d.axes.some((a) => a.key.trim() && a.kind !== 'grid');
  return (
    <div data-testid="sweep-axes">
      {d.axes.map((a, i) => {
        const ranged = AXIS_KINDS.find((k) => k.kind === a.kind)!.ranged;
        return (
          <div key={i} data-testid="sweep-axis" style={{ marginBottom: 6 }}>
            <div style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
              <input
                className={`input ${issues[`axes.${i}`] ? 'invalid' : ''}`}
                style={{ width: 190 }}
                list="sweep-config-keys"
                placeholder="config key, e.g. optimizer.lr"
                value={a.key}
                onChange={(e) => setAxis(i, { key: e.target.value })}
                data-testid="sweep-axis-key"
              />
              <select
                className="input"
                value={a.kind}
                onChange={(e) => setAxis(i, { kind: e.target.value as AxisKind })}
                data-testid="sweep-axis-kind"
              >
                {AXIS_KINDS.map((k) => (
                  <option key={k.kind} value={k.kind}>
                    {k.label}
                  </option>
                ))}
              </select>
              {ranged ? (
                <>
                  <input
                    className="input"
                    style={{ width: 80 }}
                    placeholder="low"
                    value={a.low}
                    onChange={(e) => setAxis(i, { low: e.target.value })}
                    data-testid="sweep-axis-low"
                  />
                  <input
                    className="input"
                    style={{ width: 80 }}
                    placeholder="high"
                    value={a.high}
                    onChange={(e) => setAxis(i, { high: e.target.value })}
                    data-testid="sweep-axis-high"
                  />
                </>
              ) : (
                <input
                  className="input"
                  style={{ flex: 1 }}
                  placeholder="values, comma-separated: 1e-3, 3e-3"
                  value={a.values}
                  onChange={(e) => setAxis(i, { values: e.target.value })}
                  data-testid="sweep-axis-values"
                />
              )}
              <button
                className="btn ghost small"
                title="remove axis"
                onClick={() => onChange({ axes: d.axes.filter((_, j) => j !== i) })}
                data-testid="sweep-axis-remove"
              >
                ✕
              </button>
            </div>
            {issues[`axes.${i}`] && (
              <div className="err note warn" data-testid="sweep-axis-error">
                {issues[`axes.${i}`]}
              </div>
            )}
          </div>
        );
      })}
      <button
        className="btn small"
        onClick={() => onChange({ axes: [...d.axes, emptyAxis()] })}
        data-testid="sweep-axis-add"
      >
        + Axis
      </button>
      {anyRandom && (
        <span style={{ marginLeft: 12, display: 'inline-flex', gap: 8 }}>
          <label className="field">
            Random samples
            <input
              className="input"
              style={{ width: 60 }}
              value={d.randomCount}
              onChange={(e) => onChange({ randomCount: e.target.value })}
              data-testid="sweep-random-count"
            />
          </label>
          <label className="field">
            Draw seed
            <input
              className="input"
              style={{ width: 60 }}
              value={d.randomSeed}
              onChange={(e) => onChange({ randomSeed: e.target.value })}
            />
          </label>
        </span>
      )}
      {issues.random && <div className="note warn">{issues.random}</div>}
      {issues.axes && <div className="note warn">{issues.axes}</div>}
    </div>
  );
}
