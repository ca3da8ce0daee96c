// Parallel coordinates: one vertical axis per swept key (seeds excluded) plus the chosen metric on
// the right; one line per run, coloured worst → best. Clicking a line selects the run (for compare).
import type { SweepMetric, SweepPoint } from './sweepData.ts';
import {
  axisScale,
  axisTicks,
  goodness,
  goodnessColor,
  metricRange,
  position,
  valueLabel,
} from './sweepData.ts';
import { fmtNum } from '../components/format.ts';

const W = 720;
const H = 260;
const PAD = { left: 40, right: 60, top: 24, bottom: 28 };

export function ParallelCoordinates(props: {
  points: SweepPoint[];
  axes: string[];
  metric: SweepMetric;
  selected: ReadonlySet<number>;
  onToggle: (index: number) => void;
}) {
  const { points, axes, metric, selected } = props;
  const range = metricRange(points);
  const scales = axes.map((k) => axisScale(points.map((p) => p.axes[k])));
  const columns = axes.length + 1;
  const x = (i: number) => PAD.left + (columns === 1 ? 0 : (i * (W - PAD.left - PAD.right)) / (columns - 1));
  const y = (t: number) => PAD.top + (1 - t) * (H - PAD.top - PAD.bottom);
  const metricPos = (v: number) =>
    range && range.max > range.min ? (v - range.min) / (range.max - range.min) : 0.5;
  if (!range)
    return (
      <div className="note" data-testid="sweep-parcoords-empty">
        No run has a {metric.label} yet: lines appear as runs validate.
      </div>
    );
  const ordered = [...points].sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity));
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-label={`parallel coordinates of ${axes.join(', ')} against ${metric.label}`}
      style={{ maxWidth: 960, display: 'block' }}
      data-testid="sweep-parcoords"
    >
      {[...axes, metric.label].map((label, i) => (
        <g key={label}>
          <line x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} stroke="var(--border, #3a414d)" />
          <text x={x(i)} y={PAD.top - 10} textAnchor="middle" fontSize="11" fill="var(--text-dim, #9aa4b2)">
            {label}
          </text>
          {i < axes.length
            ? axisTicks(
                scales[i]!,
                points.map((p) => p.axes[axes[i]!]),
              ).map((t) => (
                <text
                  key={t.label}
                  x={x(i) - 4}
                  y={y(t.pos) + 3}
                  textAnchor="end"
                  fontSize="10"
                  fill="#9aa4b2"
                >
                  {t.label}
                </text>
              ))
            : [range.min, range.max].map((v) => (
                <text key={v} x={x(i) + 4} y={y(metricPos(v)) + 3} fontSize="10" fill="#9aa4b2">
                  {fmtNum(v)}
                </text>
              ))}
        </g>
      ))}
      {ordered.map((p) => {
        const pts = axes.map((k, i) => `${x(i)},${y(position(scales[i]!, p.axes[k]))}`);
        const has = p.value !== undefined;
        if (has) pts.push(`${x(axes.length)},${y(metricPos(p.value!))}`);
        const color = has ? goodnessColor(goodness(p.value!, range, metric.better)) : '#555c66';
        const sel = selected.has(p.index);
        return (
          <polyline
            key={p.index}
            points={pts.join(' ')}
            fill="none"
            stroke={sel ? '#ffffff' : color}
            strokeWidth={sel ? 2.5 : 1.5}
            strokeDasharray={has ? undefined : '3 3'}
            opacity={has ? 0.9 : 0.5}
            style={{ cursor: 'pointer' }}
            onClick={() => props.onToggle(p.index)}
            data-testid="parcoords-line"
            data-index={p.index}
          >
            <title>
              {p.name}: {axes.map((k) => `${k}=${valueLabel(p.axes[k])}`).join(', ')}
              {has ? ` → ${metric.label} ${fmtNum(p.value)}` : ' (no metric yet)'}
            </title>
          </polyline>
        );
      })}
    </svg>
  );
}
