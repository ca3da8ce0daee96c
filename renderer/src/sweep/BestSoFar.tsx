// Best so far: the chosen metric of each finished run in the order runs finished (dots) and the
// best value reached up to then (a step line) — is the sweep still finding better configs?
import type { SweepMetric, SweepPoint } from './sweepData.ts';
import { bestSoFar } from './sweepData.ts';
import { fmtNum } from '../components/format.ts';

const W = 480;
const H = 180;
const PAD = { left: 44, right: 16, top: 12, bottom: 28 };

export function BestSoFar(props: { points: SweepPoint[]; metric: SweepMetric }) {
  const curve = bestSoFar(props.points, props.metric.better);
  if (!curve.length) return null;
  const vals = curve.map((c) => c.value);
  const min = Math.min(...vals);
  const max = Math.max(...vals);
  const span = max - min || Math.abs(max) || 1;
  const y = (v: number) =>
    PAD.top + (1 - (v - (min - span * 0.08)) / (span * 1.16)) * (H - PAD.top - PAD.bottom);
  const x = (n: number) =>
    PAD.left + (curve.length === 1 ? 0.5 : (n - 1) / (curve.length - 1)) * (W - PAD.left - PAD.right);
  const steps = curve.flatMap((c, i) =>
    i === 0 ? [`${x(c.n)},${y(c.best)}`] : [`${x(c.n)},${y(curve[i - 1]!.best)}`, `${x(c.n)},${y(c.best)}`],
  );
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-label={`best ${props.metric.label} so far`}
      data-testid="sweep-best-so-far"
    >
      <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={H - PAD.bottom} stroke="#3a414d" />
      <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} stroke="#3a414d" />
      {[min, max].map((v) => (
        <text key={v} x={PAD.left - 4} y={y(v) + 3} textAnchor="end" fontSize="10" fill="#9aa4b2">
          {fmtNum(v)}
        </text>
      ))}
      <text x={(W + PAD.left) / 2} y={H - 6} textAnchor="middle" fontSize="11" fill="#9aa4b2">
        runs finished (1–{curve.length})
      </text>
      <polyline
        points={steps.join(' ')}
        fill="none"
        stroke="#7bd88f"
        strokeWidth={2}
        data-testid="best-line"
        data-best={curve.at(-1)!.best}
      />
      {curve.map((c) => (
        <circle key={c.index} cx={x(c.n)} cy={y(c.value)} r={3} fill="#4ea1ff" data-testid="best-dot">
          <title>
            #{c.n} {c.name}: {fmtNum(c.value)} (best so far {fmtNum(c.best)})
          </title>
        </circle>
      ))}
    </svg>
  );
}
