// Smoothing, raw line, superseded points, point budget: shared by the run view and compare.
import { useStudio, useStudioShallow } from '../store/index.ts';

export function ChartControls() {
  const c = useStudioShallow((s) => ({
    smoothing: s.smoothing,
    showRaw: s.showRaw,
    showSuperseded: s.showSuperseded,
    maxPoints: s.maxPoints,
    logScaleLoss: s.logScaleLoss,
  }));
  const update = useStudio((s) => s.update);
  return (
    <div className="toolbar" data-testid="chart-controls">
      <label className="field" title="Debiased exponential moving average (display only)">
        Smoothing
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={c.smoothing}
          onChange={(e) => update({ smoothing: Number(e.target.value) })}
          data-testid="smoothing-slider"
        />
        <span className="mono" style={{ width: 30 }}>
          {c.smoothing.toFixed(2)}
        </span>
      </label>
      <label className="check">
        <input type="checkbox" checked={c.showRaw} onChange={(e) => update({ showRaw: e.target.checked })} />
        raw line
      </label>
      <label className="check" title="Points logged before a resume and replaced by the resumed run">
        <input
          type="checkbox"
          checked={c.showSuperseded}
          onChange={(e) => update({ showSuperseded: e.target.checked })}
        />
        superseded
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={c.logScaleLoss}
          onChange={(e) => update({ logScaleLoss: e.target.checked })}
        />
        log loss
      </label>
      <label
        className="field"
        title="Points drawn per series; min/max of each bucket are kept so spikes survive"
      >
        Points
        <select
          className="input"
          value={c.maxPoints}
          onChange={(e) => update({ maxPoints: Number(e.target.value) })}
        >
          {[500, 1000, 1500, 3000, 6000].map((n) => (
            <option key={n} value={n}>
              {n.toLocaleString('en-US')}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
