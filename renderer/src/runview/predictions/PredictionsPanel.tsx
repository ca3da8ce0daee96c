// Observed samples at a chosen validation (epoch/step slider; follows the latest while training).
import { useMemo, useRef } from 'react';
import { COLORMAPS, colormapLut, type Colormap } from '../../lib/depth.ts';
import { hexToRgb } from '../../../../core/api/classes.ts';
import { currentMedia, type MediaEvent } from '../../lib/history.ts';
import { useStudio, useStudioShallow } from '../../store/index.ts';
import { saveCanvasPng } from '../../charts/SaveMenu.tsx';
import { ClassLegend } from './ClassLegend.tsx';
import { SampleRow } from './SampleRow.tsx';
import { useSampleData, type Sample } from './useSampleData.ts';

export function PredictionsPanel({ runId }: { runId: string }) {
  const h = useStudio((s) => s.histories[runId]);
  const version = useStudio((s) => s.historyVersion[runId] ?? 0);
  const p = useStudioShallow((s) => ({
    mediaStep: s.mediaStep,
    opacity: s.opacity,
    colormap: s.colormap,
    depthRange: s.depthRange,
    classColors: s.classColors,
    hiddenClasses: s.hiddenClasses,
    showSemseg: s.showSemseg,
  }));
  const update = useStudio((s) => s.update);
  const media = useMemo(() => (h ? currentMedia(h) : []), [h, version]);
  const superseded = h ? h.media.length - media.length : 0;
  const idx =
    p.mediaStep === null
      ? media.length - 1
      : Math.max(
          0,
          media.findIndex((m) => m.step === p.mediaStep),
        );
  const ev: MediaEvent | undefined = media[idx];
  const colors = useMemo(() => p.classColors.map(hexToRgb), [p.classColors]);
  const hidden = useMemo(() => new Set(p.hiddenClasses), [p.hiddenClasses]);
  const grid = useRef<HTMLDivElement>(null);
  const range = p.depthRange;

  const saveGrid = () => {
    const canvases = [...(grid.current?.querySelectorAll('canvas') ?? [])];
    if (canvases.length === 0) return;
    const cols = 6;
    const w = canvases[0].width;
    const hh = canvases[0].height;
    const pad = 4;
    const out = document.createElement('canvas');
    out.width = cols * (w + pad);
    out.height = Math.ceil(canvases.length / cols) * (hh + pad);
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = '#15171c';
    ctx.fillRect(0, 0, out.width, out.height);
    canvases.forEach((c, i) => ctx.drawImage(c, (i % cols) * (w + pad), Math.floor(i / cols) * (hh + pad)));
    void saveCanvasPng(out, `predictions-${runId}-step${ev?.step ?? 0}`);
  };

  return (
    <div className="card" data-testid="predictions-panel">
      <div className="card-head" style={{ flexWrap: 'wrap' }}>
        Predictions
        <span className="sub">
          {ev
            ? `epoch ${ev.epoch} · step ${ev.step} · ${ev.samples.length} samples`
            : 'no images yet (written at each validation)'}
          {superseded > 0 && ` · ${superseded} superseded set${superseded > 1 ? 's' : ''} hidden`}
        </span>
        <span className="spacer" />
        <button className="btn small" onClick={saveGrid} disabled={!ev}>
          Save grid PNG
        </button>
      </div>
      <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        <div className="toolbar">
          <label className="field" style={{ flex: '1 1 260px' }}>
            Epoch
            <input
              type="range"
              style={{ flex: 1 }}
              min={0}
              max={Math.max(0, media.length - 1)}
              value={Math.max(0, idx)}
              disabled={media.length < 2}
              onChange={(e) => {
                const i = Number(e.target.value);
                update({ mediaStep: i === media.length - 1 ? null : media[i].step });
              }}
              data-testid="epoch-slider"
            />
            <span className="mono">{media.length ? `${idx + 1}/${media.length}` : '0/0'}</span>
            {p.mediaStep === null && media.length > 0 && <span className="badge">live</span>}
          </label>
          <span className="sep" />
          <label className="field">
            Overlay
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={p.showSemseg === 'mask' ? 1 : p.opacity}
              onChange={(e) => update({ opacity: Number(e.target.value), showSemseg: 'overlay' })}
              data-testid="overlay-opacity"
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={p.showSemseg === 'mask'}
              onChange={(e) => update({ showSemseg: e.target.checked ? 'mask' : 'overlay' })}
            />
            mask only
          </label>
          <span className="sep" />
          <label className="field">
            Depth
            <select
              className="input"
              value={p.colormap}
              onChange={(e) => update({ colormap: e.target.value as Colormap })}
              data-testid="colormap-select"
            >
              {COLORMAPS.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <Colorbar colormap={p.colormap} />
          <select
            className="input"
            value={range.kind}
            onChange={(e) =>
              update({
                depthRange:
                  e.target.value === 'fixed'
                    ? { kind: 'fixed', min: 4, max: 80 }
                    : { kind: 'percentile', lo: 2, hi: 98 },
              })
            }
            data-testid="depth-range-kind"
            title="Range shared by ground truth and prediction"
          >
            <option value="fixed">fixed range</option>
            <option value="percentile">percentile range</option>
          </select>
          {range.kind === 'fixed' ? (
            <>
              <NumBox
                value={range.min}
                onChange={(v) => update({ depthRange: { ...range, min: v } })}
                suffix="m"
              />
              –
              <NumBox
                value={range.max}
                onChange={(v) => update({ depthRange: { ...range, max: v } })}
                suffix="m"
              />
            </>
          ) : (
            <>
              <NumBox
                value={range.lo}
                onChange={(v) => update({ depthRange: { ...range, lo: v } })}
                suffix="%"
              />
              –
              <NumBox
                value={range.hi}
                onChange={(v) => update({ depthRange: { ...range, hi: v } })}
                suffix="%"
              />
            </>
          )}
        </div>
        <ClassLegend />
        {ev && (
          <div
            className="pred-grid"
            ref={grid}
            style={{ gridTemplateColumns: '28px repeat(6, minmax(0, 1fr))' }}
          >
            {ev.samples.map((s) => (
              <SampleLoader
                key={s.index}
                runId={runId}
                sample={s}
                opacity={p.showSemseg === 'mask' ? 1 : p.opacity}
                colors={colors}
                hidden={hidden}
                colormap={p.colormap}
                range={range}
              />
            ))}
          </div>
        )}
        <div className="note">
          Overlays and depth maps are re-rendered from the run's media PNGs (class colours → ids; turbo
          inverse depth → metres, 8-bit precision). Invalid / ignore pixels: grey checkerboard.
        </div>
      </div>
    </div>
  );
}

function SampleLoader(
  props: { runId: string; sample: Sample } & Omit<Parameters<typeof SampleRow>[0], 'index' | 'data'>,
) {
  const { data, error } = useSampleData(props.runId, props.sample);
  if (error)
    return (
      <div className="note warn" style={{ gridColumn: '1 / -1' }}>
        #{props.sample.index}: {error}
      </div>
    );
  if (!data)
    return (
      <div
        className="note"
        style={{ gridColumn: '1 / -1' }}
        data-testid="prediction-row"
        data-sample={props.sample.index}
      >
        loading #{props.sample.index}…
      </div>
    );
  return (
    <SampleRow
      index={props.sample.index}
      data={data}
      opacity={props.opacity}
      colors={props.colors}
      hidden={props.hidden}
      colormap={props.colormap}
      range={props.range}
    />
  );
}

function NumBox({
  value,
  onChange,
  suffix,
}: {
  value: number;
  onChange: (v: number) => void;
  suffix: string;
}) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 2 }}>
      <input
        className="input"
        style={{ width: 54 }}
        type="number"
        value={value}
        onChange={(e) => Number.isFinite(e.target.valueAsNumber) && onChange(e.target.valueAsNumber)}
      />
      <span className="faint">{suffix}</span>
    </span>
  );
}

function Colorbar({ colormap }: { colormap: Colormap }) {
  const lut = useMemo(() => colormapLut(colormap), [colormap]);
  const stops = Array.from({ length: 9 }, (_, i) => {
    const j = Math.round((i / 8) * 255) * 3;
    return `rgb(${lut[j]},${lut[j + 1]},${lut[j + 2]}) ${(i / 8) * 100}%`;
  });
  return (
    <span
      className="colorbar"
      title="far → near"
      style={{ background: `linear-gradient(90deg, ${stops.join(',')})` }}
    />
  );
}
