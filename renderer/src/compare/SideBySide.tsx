// The same observed sample across runs at their latest validation: rgb and ground truth once, then
// each run's predicted semseg and depth, with the shared overlay/colormap settings.
import { useMemo } from 'react';
import type { RunInfo } from '../../../core/api/studio.ts';
import { hexToRgb } from '../../../core/api/classes.ts';
import { colormapLut, depthToRgba, resolveRange } from '../lib/depth.ts';
import { paintSemseg } from '../lib/overlay.ts';
import { currentMedia } from '../lib/history.ts';
import { runColor } from '../lib/runColor.ts';
import { useStudio, useStudioShallow } from '../store/index.ts';
import { MapCanvas } from '../runview/predictions/MapCanvas.tsx';
import { useSampleData } from '../runview/predictions/useSampleData.ts';

export function SideBySide({ runs, colors }: { runs: RunInfo[]; colors?: Map<string, string> }) {
  const sample = useStudio((s) => s.compareSample);
  const update = useStudio((s) => s.update);
  const histories = useStudio((s) => s.histories);
  useStudio((s) => s.historyVersion);
  const indices = useMemo(() => {
    const set = new Set<number>();
    for (const r of runs)
      for (const m of histories[r.id] ? currentMedia(histories[r.id]) : [])
        m.samples.forEach((x) => set.add(x.index));
    return [...set].sort((a, b) => a - b);
  }, [runs, histories]);
  return (
    <div className="card" data-testid="compare-samples">
      <div className="card-head">
        Same sample across runs
        <span className="sub">latest validation of each run</span>
        <span className="spacer" />
        <label className="field">
          sample
          <select
            className="input"
            value={sample}
            onChange={(e) => update({ compareSample: Number(e.target.value) })}
          >
            {indices.map((i) => (
              <option key={i} value={i}>
                #{i}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div
        className="card-body"
        style={{
          display: 'grid',
          gridTemplateColumns: `repeat(${Math.min(4, runs.length + 1)}, minmax(0, 1fr))`,
          gap: 10,
        }}
      >
        {runs.map((r, i) => (
          <RunSample key={r.id} run={r} sample={sample} withGt={i === 0} color={colors?.get(r.id)} />
        ))}
      </div>
    </div>
  );
}

function RunSample({
  run,
  sample,
  withGt,
  color,
}: {
  run: RunInfo;
  sample: number;
  color?: string;
  withGt: boolean;
}) {
  const h = useStudio((s) => s.histories[run.id]);
  useStudio((s) => s.historyVersion[run.id]);
  const p = useStudioShallow((s) => ({
    opacity: s.opacity,
    colormap: s.colormap,
    depthRange: s.depthRange,
    classColors: s.classColors,
    hiddenClasses: s.hiddenClasses,
  }));
  const media = h ? currentMedia(h).at(-1) : undefined;
  const s = media?.samples.find((x) => x.index === sample);
  const { data } = useSampleData(run.id, s);
  const colors = useMemo(() => p.classColors.map(hexToRgb), [p.classColors]);
  const hidden = useMemo(() => new Set(p.hiddenClasses), [p.hiddenClasses]);
  const lut = useMemo(() => colormapLut(p.colormap), [p.colormap]);
  const range = useMemo(
    () =>
      data
        ? resolveRange(p.depthRange, data.gtDepth ? [data.gtDepth, data.predDepth] : [data.predDepth])
        : ([4, 80] as [number, number]),
    [data, p.depthRange],
  );
  const title = (
    <div style={{ display: 'flex', alignItems: 'center', gap: 6, fontSize: 12 }}>
      <span className="swatch" style={{ background: color ?? runColor(run.id) }} />
      <b style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{run.name}</b>
      <span className="faint">{media ? `e${media.epoch} s${media.step}` : ''}</span>
    </div>
  );
  if (!s || !data)
    return (
      <div>
        {title}
        <div className="note">{s ? 'loading…' : 'no image of this sample yet'}</div>
      </div>
    );
  const { width: w, height: hh } = data;
  return (
    <>
      {withGt && (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
          <div style={{ fontSize: 12 }}>
            <b>input & ground truth</b>
          </div>
          <MapCanvas
            kind="rgb"
            caption="rgb"
            width={w}
            height={hh}
            deps={[data]}
            paint={(o) => o.set(data.rgb.data)}
          />
          {data.gtLabels && (
            <MapCanvas
              kind="gtSemseg"
              caption="gt semseg"
              width={w}
              height={hh}
              deps={[data, p.opacity, colors, hidden]}
              paint={(o) => paintSemseg(data.rgb.data, data.gtLabels!, w, colors, hidden, p.opacity, o)}
            />
          )}
          {data.gtDepth && (
            <MapCanvas
              kind="gtDepth"
              caption="gt depth"
              width={w}
              height={hh}
              deps={[data, lut, range]}
              paint={(o) => depthToRgba(data.gtDepth!, range, lut, o, w)}
            />
          )}
        </div>
      )}
      <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
        {title}
        <div style={{ height: 0 }} />
        <MapCanvas
          kind="predSemseg"
          caption="pred semseg"
          width={w}
          height={hh}
          deps={[data, p.opacity, colors, hidden]}
          paint={(o) => paintSemseg(data.rgb.data, data.predLabels, w, colors, hidden, p.opacity, o)}
        />
        <MapCanvas
          kind="predDepth"
          caption="pred depth"
          width={w}
          height={hh}
          deps={[data, lut, range]}
          paint={(o) => depthToRgba(data.predDepth, range, lut, o, w)}
        />
      </div>
    </>
  );
}
