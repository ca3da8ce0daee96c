// Metric vs each swept key, one small plot per key: every run is a dot at its value (the seeds and
// the other axes' values make the vertical spread), with the group mean drawn as a line.
import type { SweepMetric, SweepPoint } from './sweepData.ts';
import { marginal, metricRange } from './sweepData.ts';
import { fmtNum } from '../components/format.ts';

const W = 240;
const H = 160;
const PAD = { left: 40, right: 16, top: 12, bottom: 30 };

export function MarginalPlots(props: { points: SweepPoint[]; axes: string[]; metric: SweepMetric }) {
  const { points, axes, metric } = props;
  const range = metricRange(points);
  if (!range || !axes.length) return null;
  const span = range.max - range.min || Math.abs(range.max) || 1;
  const lo = range.min - span * 0.08;
  const hi = range.max + span * 0.08;
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const x = (t: number) => PAD.left + 10 + t * (W - PAD.left - PAD.right - 20);
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }} data-testid="sweep-marginals">
      {axes.map((key) => {
        const groups = marginal(points, key);
        const means = groups.filter((g) => g.values.length);
        return (
          <svg
            key={key}
            viewBox={`0 0 ${W} ${H}`}
            width={W}
            height={H}
            role="img"
            aria-label={`${metric.label} vs ${key}`}
            data-testid="sweep-marginal"
            data-key={key}
          >
            <text x={W / 2} y={H - 4} textAnchor="middle" fontSize="11" fill="#9aa4b2">
              {key}
            </text>
            {[range.min, range.max].map((v) => (
              <text key={v} x={PAD.left - 4} y={y(v) + 3} textAnchor="end" fontSize="10" fill="#9aa4b2">
                {fmtNum(v)}
              </text>
            ))}
            <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={H - PAD.bottom} stroke="#3a414d" />
            <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} stroke="#3a414d" />
            {means.length > 1 && (
              <polyline
                points={means.map((g) => `${x(g.pos)},${y(g.mean)}`).join(' ')}
                fill="none"
                stroke="#4ea1ff"
                strokeWidth={1.5}
                data-testid="marginal-mean"
              />
            )}
            {groups.map((g) => (
              <g key={g.label} data-testid="marginal-group" data-value={g.label} data-n={g.values.length}>
                <text x={x(g.pos)} y={H - PAD.bottom + 12} textAnchor="middle" fontSize="10" fill="#9aa4b2">
                  {g.label}
                </text>
                {g.values.length > 1 && (
                  <line
                    x1={x(g.pos)}
                    x2={x(g.pos)}
                    y1={y(g.min)}
                    y2={y(g.max)}
                    stroke="#6b7380"
                    strokeWidth={3}
                    opacity={0.5}
                  />
                )}
                {g.values.map((v, i) => (
                  <circle key={i} cx={x(g.pos)} cy={y(v)} r={3} fill="#4ea1ff" opacity={0.8}>
                    <title>
                      {key}={g.label}: {fmtNum(v)}
                    </title>
                  </circle>
                ))}
              </g>
            ))}
          </svg>
        );
      })}
    </div>
  );
}
