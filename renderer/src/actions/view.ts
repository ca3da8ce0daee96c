// Display toggles of the charts (all display-only: the stored history never changes).
import type { Action } from './types.ts';

export const toggleSmoothing: Action = {
  id: 'chart.toggleSmoothing',
  label: 'Toggle smoothing (debiased EMA)',
  keywords: ['ema', 'smooth', 'curves', 'noise'],
  shortcut: 'S',
  keyTest: (e) => e.key === 's' && !e.ctrlKey && !e.metaKey && !e.altKey,
  perform: ({ store }) => {
    const s = store.getState();
    s.update({ smoothing: s.smoothing > 0 ? 0 : 0.6 });
  },
};

export const toggleRaw: Action = {
  id: 'chart.toggleRaw',
  label: 'Show / hide raw lines under smoothed curves',
  keywords: ['raw', 'unsmoothed', 'curves'],
  perform: ({ store }) => store.getState().update({ showRaw: !store.getState().showRaw }),
};

export const toggleSuperseded: Action = {
  id: 'chart.toggleSuperseded',
  label: 'Show / hide superseded points (before a resume)',
  keywords: ['resume', 'orphaned', 'history'],
  perform: ({ store }) => store.getState().update({ showSuperseded: !store.getState().showSuperseded }),
};

export const toggleLogLoss: Action = {
  id: 'chart.toggleLogLoss',
  label: 'Toggle log scale for losses',
  keywords: ['log', 'scale', 'axis'],
  perform: ({ store }) => store.getState().update({ logScaleLoss: !store.getState().logScaleLoss }),
};
