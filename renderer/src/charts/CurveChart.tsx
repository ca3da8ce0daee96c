// A line chart of one metric for one or more runs: raw line (faint) under the debiased EMA,
// superseded points dashed grey, display-only min/max downsampling with the count on screen.
import { memo, useDeferredValue, useMemo, useRef } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { samplingNote } from '../lib/downsample.ts';
import { useWidth } from '../lib/useWidth.ts';
import { prepareSeries, type CurveSeries } from './prepare.ts';
import { SaveMenu } from './SaveMenu.tsx';

export interface CurveChartProps {
  title: string;
  series: readonly CurveSeries[];
  smoothing: number;
  showRaw: boolean;
  showSuperseded: boolean;
  maxPoints: number;
  logY?: boolean;
  syncId?: string;
  height?: number;
  xLabel?: string;
  /** Extra word for the chart's `data-series` (its series ids are always listed). */
  /** Extra word for the chart's `data-series` (its series ids are always listed). */
  testId?: string;
  /** Fixed width (benchmarks, tests); measured from the card otherwise. */
  width?: number;
}

const fmt = (v: number) => {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
};

export const CurveChart = memo(function CurveChart(props: CurveChartProps) {
  const { smoothing, showRaw, showSuperseded, maxPoints, logY } = props;
  // Live updates render at low priority: React can interleave input and scrolling between charts.
  const series = useDeferredValue(props.series);
  const [boxRef, measured] = useWidth<HTMLDivElement>(props.width ?? 420);
  const chartRef = useRef<HTMLDivElement>(null);
  const prepared = useMemo(
    () => prepareSeries(series, { smoothing, maxPoints, showSuperseded, logY }),
    [series, smoothing, maxPoints, showSuperseded, logY],
  );
  const total = prepared.reduce((a, s) => a + s.total, 0);
  const shown = prepared.reduce((a, s) => a + s.shown, 0);
  const note = samplingNote(shown, total);
  const empty = total === 0;
  const width = props.width ?? measured;
  const height = props.height ?? 190;
  const smoothed = smoothing > 0;

  return (
    <div
      className="card"
      data-testid="chart"
      data-series={[props.testId, ...series.map((s) => s.id)].filter(Boolean).join(' ')}
      data-points={prepared[0]?.total ?? 0}
      data-points-shown={shown}
    >
      <div className="card-head">
        <span>{props.title}</span>
        {note && (
          <span className="sub" data-testid="sampling-note">
            {note}
          </span>
        )}
        <span className="spacer" />
        <SaveMenu targetRef={chartRef} fileStem={props.title} />
      </div>
      {prepared.length > 1 && prepared.length <= 8 && (
        <div className="chart-legend">
          {prepared.map((s) => (
            <span key={s.id}>
              <span className="swatch" style={{ background: s.color }} />
              {s.label}
            </span>
          ))}
        </div>
      )}
      <div ref={boxRef} style={{ padding: '6px 4px 2px 0' }}>
        <div ref={chartRef}>
          {empty ? (
            <div className="empty" style={{ height, padding: 0, display: 'grid', placeItems: 'center' }}>
              no points yet
            </div>
          ) : (
            <LineChart
              width={width - 4}
              height={height}
              syncId={props.syncId}
              syncMethod="value"
              margin={{ top: 6, right: 12, bottom: 0, left: 0 }}
            >
              <CartesianGrid strokeDasharray="0" vertical={false} />
              <XAxis
                dataKey="x"
                type="number"
                domain={['dataMin', 'dataMax']}
                tickFormatter={fmt}
                allowDuplicatedCategory={false}
                tickCount={6}
                height={22}
              />
              <YAxis
                type="number"
                scale={logY ? 'log' : 'auto'}
                domain={['auto', 'auto']}
                tickFormatter={fmt}
                width={48}
                allowDataOverflow={false}
              />
              <Tooltip
                isAnimationActive={false}
                formatter={(v) => fmt(Number(v))}
                labelFormatter={(l) => `${props.xLabel ?? 'step'} ${l}`}
              />
              {prepared.map((s) => [
                showSuperseded && s.superseded.length > 0 && (
                  <Line
                    key={`${s.id}-sup`}
                    data={s.superseded}
                    dataKey="y"
                    name={`${s.label} (superseded)`}
                    stroke="#7a8290"
                    strokeDasharray="3 3"
                    strokeWidth={1}
                    dot={false}
                    isAnimationActive={false}
                  />
                ),
                (showRaw || !smoothed) && (
                  <Line
                    key={`${s.id}-raw`}
                    data={s.raw}
                    dataKey="y"
                    name={smoothed ? `${s.label} (raw)` : s.label}
                    stroke={s.color}
                    strokeOpacity={smoothed ? 0.28 : 1}
                    strokeWidth={smoothed ? 1 : 1.5}
                    dot={s.raw.length < 40 ? { r: 1.8, fill: s.color, strokeWidth: 0 } : false}
                    isAnimationActive={false}
                  />
                ),
                smoothed && s.smooth && (
                  <Line
                    key={`${s.id}-ema`}
                    data={s.smooth}
                    dataKey="y"
                    name={s.label}
                    stroke={s.color}
                    strokeWidth={1.6}
                    dot={false}
                    isAnimationActive={false}
                  />
                ),
              ])}
            </LineChart>
          )}
        </div>
      </div>
    </div>
  );
});
