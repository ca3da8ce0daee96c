// One observed sample: rgb | gt overlay | pred overlay | gt depth | pred depth | |error|, all drawn
// from decoded data so opacity, class toggles, colours, colormap and range apply live.
import { useMemo } from 'react';
import {
  colormapLut,
  depthToRgba,
  percentileRange,
  resolveRange,
  type Colormap,
  type DepthRange,
} from '../../lib/depth.ts';
import { absError, paintLinear, paintSemseg } from '../../lib/overlay.ts';
import { MapCanvas } from './MapCanvas.tsx';
import type { SampleData } from './useSampleData.ts';

export interface SampleRowProps {
  index: number;
  data: SampleData;
  opacity: number;
  colors: [number, number, number][];
  hidden: ReadonlySet<number>;
  colormap: Colormap;
  range: DepthRange;
}

const fmtM = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function SampleRow({ index, data, opacity, colors, hidden, colormap, range }: SampleRowProps) {
  const { width: w, height: h } = data;
  const lut = useMemo(() => colormapLut(colormap), [colormap]);
  const errLut = useMemo(() => colormapLut('magma'), []);
  const maps = useMemo(() => (data.gtDepth ? [data.gtDepth, data.predDepth] : [data.predDepth]), [data]);
  const [lo, hi] = useMemo(() => resolveRange(range, maps), [range, maps]);
  const err = useMemo(() => (data.gtDepth ? absError(data.gtDepth, data.predDepth) : null), [data]);
  const errMax = useMemo(() => (err ? percentileRange([err], 0, 99)[1] : 1), [err]);
  const hiddenKey = [...hidden].sort().join(',');
  const colorKey = colors.map((c) => c.join('.')).join('|');
  const missing = (caption: string, kind: string) => (
    <div className="pred-cell" data-testid="prediction-cell" data-kind={kind}>
      <span className="cap">{caption}</span>
      <div
        className="empty"
        style={{
          aspectRatio: `${w} / ${h}`,
          padding: 0,
          display: 'grid',
          placeItems: 'center',
          background: '#101216',
          borderRadius: 3,
        }}
      >
        no ground truth
      </div>
    </div>
  );
  return (
    <>
      <div
        className="faint mono"
        style={{ alignSelf: 'center' }}
        data-testid="prediction-row"
        data-sample={index}
      >
        #{index}
      </div>
      <MapCanvas
        kind="rgb"
        caption="rgb"
        width={w}
        height={h}
        deps={[data]}
        paint={(o) => o.set(data.rgb.data)}
      />
      {data.gtLabels ? (
        <MapCanvas
          kind="gtSemseg"
          caption="gt semseg"
          width={w}
          height={h}
          deps={[data, opacity, hiddenKey, colorKey]}
          paint={(o) => paintSemseg(data.rgb.data, data.gtLabels!, w, colors, hidden, opacity, o)}
        />
      ) : (
        missing('gt semseg', 'gtSemseg')
      )}
      <MapCanvas
        kind="predSemseg"
        caption="pred semseg"
        width={w}
        height={h}
        deps={[data, opacity, hiddenKey, colorKey]}
        paint={(o) => paintSemseg(data.rgb.data, data.predLabels, w, colors, hidden, opacity, o)}
      />
      {data.gtDepth ? (
        <MapCanvas
          kind="gtDepth"
          caption={`gt depth ${fmtM(lo)}–${fmtM(hi)} m`}
          width={w}
          height={h}
          deps={[data, lut, lo, hi]}
          paint={(o) => depthToRgba(data.gtDepth!, [lo, hi], lut, o, w)}
        />
      ) : (
        missing('gt depth', 'gtDepth')
      )}
      <MapCanvas
        kind="predDepth"
        caption={`pred depth ${fmtM(lo)}–${fmtM(hi)} m`}
        width={w}
        height={h}
        deps={[data, lut, lo, hi]}
        paint={(o) => depthToRgba(data.predDepth, [lo, hi], lut, o, w)}
      />
      {err ? (
        <MapCanvas
          kind="error"
          caption={`|error| 0–${fmtM(errMax)} m (p99)`}
          width={w}
          height={h}
          deps={[err, errMax, errLut]}
          paint={(o) => paintLinear(err, errMax, errLut, w, o)}
        />
      ) : (
        missing('|error|', 'error')
      )}
    </>
  );
}
