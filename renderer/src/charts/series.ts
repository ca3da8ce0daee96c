// From a run's history to chart series.
import { seriesColumns, type RunHistory } from '../lib/history.ts';
import type { CurveSeries } from './prepare.ts';

export function historySeries(
  h: RunHistory | undefined,
  key: string,
  id: string,
  label: string,
  color: string,
): CurveSeries {
  const { current, superseded } = seriesColumns(h?.series[key]);
  return { id, label, color, current, superseded };
}

/** Chart definitions of the run view: title, series keys, log-scale eligibility. */
export const RUN_CHARTS: {
  title: string;
  keys: { key: string; label: string }[];
  loss?: boolean;
  x?: string;
}[] = [
  { title: 'Train loss (total)', keys: [{ key: 'loss.total', label: 'total' }], loss: true },
  {
    title: 'Train loss by task',
    keys: [
      { key: 'loss.semseg', label: 'semseg' },
      { key: 'loss.depth', label: 'depth' },
    ],
    loss: true,
  },
  {
    title: 'Validation loss',
    keys: [
      { key: 'val.loss.total', label: 'total' },
      { key: 'val.loss.semseg', label: 'semseg' },
      { key: 'val.loss.depth', label: 'depth' },
    ],
    loss: true,
  },
  { title: 'Multitask (val)', keys: [{ key: 'val.multitask', label: 'multitask' }] },
  { title: 'mIoU % (val)', keys: [{ key: 'val.miou', label: 'mIoU' }] },
  { title: 'SI-logRMSE (val)', keys: [{ key: 'val.si_log_rmse', label: 'SI-logRMSE' }] },
  { title: 'Learning rate', keys: [{ key: 'lr', label: 'lr' }] },
  {
    title: 'Depth errors (val)',
    keys: [
      { key: 'val.abs_rel', label: 'AbsRel' },
      { key: 'val.log_rmse', label: 'log-RMSE' },
    ],
  },
];

export const SUB_COLORS = ['#4e9cf5', '#f5a623', '#50c878', '#e5533d'];
