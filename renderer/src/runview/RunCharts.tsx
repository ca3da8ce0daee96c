// The curves of one run: losses, LR, val metrics, per-class IoU — live, throttled by the store flush.
import { useMemo } from 'react';
import { CLASSES } from '../../../core/api/classes.ts';
import { CurveChart } from '../charts/CurveChart.tsx';
import { historySeries, RUN_CHARTS, SUB_COLORS } from '../charts/series.ts';
import { useStudio, useStudioShallow } from '../store/index.ts';

export function RunCharts({ runId }: { runId: string }) {
  const h = useStudio((s) => s.histories[runId]);
  const version = useStudio((s) => s.historyVersion[runId] ?? 0);
  const opts = useStudioShallow((s) => ({
    smoothing: s.smoothing,
    showRaw: s.showRaw,
    showSuperseded: s.showSuperseded,
    maxPoints: s.maxPoints,
    logScaleLoss: s.logScaleLoss,
    classColors: s.classColors,
  }));
  const charts = useMemo(
    () =>
      RUN_CHARTS.map((c) => ({
        ...c,
        series: c.keys.map((k, i) =>
          historySeries(h, k.key, k.key, k.label, SUB_COLORS[i % SUB_COLORS.length]),
        ),
      })),
    [h, version], // arrays grow in place; version marks changes
  );
  const iou = useMemo(
    () =>
      CLASSES.map((c) =>
        historySeries(h, `val.iou.${c.id}`, `val.iou.${c.id}`, c.name, opts.classColors[c.id]),
      ),
    [h, version, opts.classColors],
  );
  return (
    <div className="grid-charts" data-testid="run-charts">
      {charts.map((c) => (
        <CurveChart
          key={c.title}
          title={c.title}
          series={c.series}
          smoothing={c.keys[0].key.startsWith('val.') || c.keys[0].key === 'lr' ? 0 : opts.smoothing}
          showRaw={opts.showRaw}
          showSuperseded={opts.showSuperseded}
          maxPoints={opts.maxPoints}
          logY={c.loss && opts.logScaleLoss}
        />
      ))}
      <CurveChart
        title="Per-class IoU % (val)"
        series={iou}
        smoothing={0}
        showRaw
        showSuperseded={opts.showSuperseded}
        maxPoints={opts.maxPoints}
        testId="val.iou"
        height={230}
      />
    </div>
  );
}
