// Depth histograms over validations: a heatmap (one row per validation, 64 bins) of predicted depth
// beside ground truth, and the chosen validation's gt vs pred distributions.
import { useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { colormapLut } from '../lib/depth.ts';
import type { HistogramEvent } from '../lib/history.ts';
import { useWidth } from '../lib/useWidth.ts';
import { useStudio } from '../store/index.ts';

type Unit = HistogramEvent['unit'];

function Heatmap({ rows, title }: { rows: number[][]; title: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const lut = useMemo(() => colormapLut('magma'), []);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || rows.length === 0) return;
    const bins = rows[0].length;
    const img = ctx.createImageData(bins, rows.length);
    rows.forEach((r, y) => {
      const max = Math.max(...r, 1e-12);
      r.forEach((v, x) => {
        const j = Math.round(Math.sqrt(v / max) * 255) * 3; // sqrt: low bins stay visible
        const o = (y * bins + x) * 4;
        img.data[o] = lut[j];
        img.data[o + 1] = lut[j + 1];
        img.data[o + 2] = lut[j + 2];
        img.data[o + 3] = 255;
      });
    });
    ctx.putImageData(img, 0, 0);
  }, [rows, lut]);
  return (
    <div className="pred-cell" style={{ flex: 1 }}>
      <span className="cap">{title}</span>
      <canvas
        ref={ref}
        width={rows[0]?.length ?? 64}
        height={Math.max(1, rows.length)}
        style={{ width: '100%', height: Math.min(260, 18 * rows.length + 20), imageRendering: 'pixelated' }}
      />
    </div>
  );
}

export function HistogramsPanel({ runId }: { runId: string }) {
  const h = useStudio((s) => s.histories[runId]);
  const version = useStudio((s) => s.historyVersion[runId] ?? 0);
  const [unit, setUnit] = useState<Unit>('meters');
  const [pick, setPick] = useState<number | null>(null);
  const [box, width] = useWidth<HTMLDivElement>(600);
  const hists = useMemo(
    () => (h?.histograms ?? []).filter((e) => e.unit === unit && !e.superseded),
    [h, version, unit],
  );
  const sel = hists[pick === null ? hists.length - 1 : Math.min(pick, hists.length - 1)];
  const data = useMemo(() => {
    if (!sel) return { gt: [], pred: [] };
    const centre = (i: number) => (sel.edges[i] + sel.edges[i + 1]) / 2;
    const norm = (a: number[]) => {
      const s = a.reduce((x, y) => x + y, 0) || 1;
      return a.map((v, i) => ({ x: centre(i), y: (100 * v) / s }));
    };
    return { gt: norm(sel.gt), pred: norm(sel.pred) };
  }, [sel]);

  return (
    <div className="card" data-testid="histograms-panel">
      <div className="card-head">
        Depth histograms
        <span className="sub">{hists.length} validations · 64 bins</span>
        <span className="spacer" />
        <div className="seg">
          {(['meters', 'normalized'] as Unit[]).map((u) => (
            <button key={u} className={unit === u ? 'on' : ''} onClick={() => setUnit(u)}>
              {u}
            </button>
          ))}
        </div>
      </div>
      <div className="card-body" ref={box} style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        {hists.length === 0 ? (
          <div className="empty">No histograms yet (written at each validation).</div>
        ) : (
          <>
            <div style={{ display: 'flex', gap: 10 }}>
              <Heatmap
                rows={hists.map((e) => e.pred)}
                title="predicted depth, one row per validation (top = first)"
              />
              <Heatmap rows={hists.map((e) => e.gt)} title="ground truth" />
            </div>
            <label className="field">
              Validation
              <input
                type="range"
                min={0}
                max={hists.length - 1}
                value={hists.indexOf(sel)}
                onChange={(e) => setPick(Number(e.target.value))}
                style={{ flex: 1 }}
              />
              <span className="mono">
                epoch {sel.epoch} · step {sel.step}
              </span>
            </label>
            <LineChart width={width - 24} height={200} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid vertical={false} />
              <XAxis
                dataKey="x"
                type="number"
                domain={['dataMin', 'dataMax']}
                tickFormatter={(v: number) => v.toFixed(unit === 'meters' ? 0 : 1)}
              />
              <YAxis width={40} tickFormatter={(v: number) => `${v.toFixed(0)}%`} />
              <Tooltip
                formatter={(v) => `${Number(v).toFixed(2)} %`}
                labelFormatter={(l) => `${Number(l).toFixed(2)} ${unit === 'meters' ? 'm' : ''}`}
              />
              <Line
                data={data.gt}
                dataKey="y"
                name="ground truth"
                type="stepAfter"
                stroke="#8d95a3"
                dot={false}
                isAnimationActive={false}
              />
              <Line
                data={data.pred}
                dataKey="y"
                name="prediction"
                type="stepAfter"
                stroke="#f5a623"
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </>
        )}
      </div>
    </div>
  );
}
