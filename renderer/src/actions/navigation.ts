import type { Action } from './types.ts';
import { mod } from './types.ts';

export const goRuns: Action = {
  id: 'view.runs',
  label: 'Go to runs',
  keywords: ['table', 'list', 'experiments'],
  shortcut: 'Alt+1',
  keyTest: (e) => e.altKey && e.key === '1',
  perform: ({ store }) => store.getState().navigate('runs'),
};

export const goNewRun: Action = {
  id: 'view.newRun',
  label: 'New run…',
  keywords: ['train', 'start', 'create', 'form', 'preset'],
  shortcut: 'Ctrl+N',
  keyTest: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'n',
  perform: ({ store }) => {
    store.getState().update({ forkFrom: null });
    store.getState().navigate('new');
  },
};

export const newQuickCpuRun: Action = {
  id: 'run.newQuickCpu',
  label: 'New quick-cpu demo run',
  keywords: ['preset', 'demo', 'first', 'synthetic'],
  perform: ({ store }) => {
    store.getState().update({ preset: 'quick-cpu', draft: {}, forkFrom: null });
    store.getState().navigate('new');
  },
};

export const openSelectedRun: Action = {
  id: 'view.openRun',
  label: 'Open selected run',
  keywords: ['view', 'curves', 'predictions'],
  shortcut: 'Enter',
  predicate: (s) => s.selected.length === 1,
  keyTest: (e, s) => e.key === 'Enter' && s.view === 'runs' && !mod(e),
  perform: ({ store }) => {
    const s = store.getState();
    s.navigate('run', s.selected[0]);
  },
};

export const compareSelected: Action = {
  id: 'view.compare',
  label: 'Compare selected runs',
  keywords: ['diff', 'confounders', 'overlay'],
  shortcut: 'Ctrl+Shift+C',
  predicate: (s) => s.selected.length >= 2 && s.selected.length <= 8,
  keyTest: (e) => mod(e) && e.shiftKey && e.key.toLowerCase() === 'c',
  perform: ({ store }) => {
    const s = store.getState();
    s.update({ compareIds: [...s.selected] });
    s.navigate('compare');
  },
};

export const goExport: Action = {
  id: 'view.export',
  label: 'Export: archives and CSV',
  keywords: ['submission', 'zip', 'csv', 'download'],
  shortcut: 'Alt+4',
  keyTest: (e) => e.altKey && e.key === '4',
  perform: ({ store }) => store.getState().navigate('export'),
};

export const goTargets: Action = {
  id: 'view.targets',
  label: 'Targets: SSH hosts, EC2 instances',
  keywords: ['remote', 'ssh', 'ec2', 'cloud', 'instance', 'host'],
  shortcut: 'Alt+5',
  keyTest: (e) => e.altKey && e.key === '5',
  perform: ({ store }) => store.getState().navigate('targets'),
};

export const openPalette: Action = {
  id: 'palette.open',
  label: 'Command palette',
  shortcut: 'Ctrl+K',
  keyTest: (e) => mod(e) && (e.key.toLowerCase() === 'k' || (e.shiftKey && e.key.toLowerCase() === 'p')),
  perform: ({ store }) => store.getState().update({ paletteOpen: !store.getState().paletteOpen }),
};
