import { downloadText } from '../lib/download.ts';
import type { Action } from './types.ts';

/** The run table as CSV (engine-side export, with the notes column and the table's extra columns). */
export const exportRunsCsv: Action = {
  id: 'export.runsCsv',
  label: 'Export run table as CSV',
  keywords: ['csv', 'spreadsheet', 'report', 'notes', 'download'],
  perform: async ({ store, api }) => {
    const s = store.getState();
    const ids = s.selected.length > 0 ? s.selected : undefined;
    const { csv } = await api.client.runs.exportCsv({ kind: 'runs', ids, columns: s.columns });
    downloadText(csv, `runs${ids ? `-${ids.length}` : ''}.csv`);
  },
};

export const exportScoresCsv: Action = {
  id: 'export.scoresCsv',
  label: 'Export scores sheet as CSV',
  keywords: ['csv', 'grades', 'metrics', 'download'],
  perform: async ({ store, api }) => {
    const s = store.getState();
    const ids = s.selected.length > 0 ? s.selected : undefined;
    const { csv } = await api.client.runs.exportCsv({ kind: 'scores', ids });
    downloadText(csv, 'scores.csv');
  },
};
