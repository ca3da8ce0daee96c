import { useMemo } from 'react';
import { useActions } from '../actions/react.ts';
import { useStudio, useStudioShallow } from '../store/index.ts';
import { RunsTable } from './RunsTable.tsx';
import { ColumnChooser } from './ColumnChooser.tsx';
import { matchesFilter, sortRuns } from './columns.ts';

const STATUSES = ['running', 'completed', 'stopped', 'interrupted', 'failed', 'queued'];

export function RunsPage() {
  const s = useStudioShallow((st) => ({
    runs: st.runs,
    sort: st.sort,
    filter: st.filter,
    statusFilter: st.statusFilter,
    columns: st.columns,
    selected: st.selected,
    connection: st.connection,
  }));
  const update = useStudio((st) => st.update);
  const navigate = useStudio((st) => st.navigate);
  const actions = useActions();
  const all = useMemo(() => Object.values(s.runs), [s.runs]);
  const visible = useMemo(
    () =>
      sortRuns(
        all.filter((r) => (!s.statusFilter || r.status === s.statusFilter) && matchesFilter(r, s.filter)),
        s.sort.key,
        s.sort.dir,
      ),
    [all, s.filter, s.statusFilter, s.sort],
  );
  const act = (id: string) => void actions.executeAction(id, 'ui');
  const enabled = (id: string) => {
    const a = actions.get(id);
    return a ? actions.isEnabled(a) : false;
  };

  return (
    <div className="page" style={{ height: '100%' }} data-testid="runs-page">
      <div className="page-head">
        <h1>Runs</h1>
        <span className="dim">
          {visible.length === all.length ? `${all.length} runs` : `${visible.length} of ${all.length} runs`}
          {s.selected.length > 0 && ` · ${s.selected.length} selected`}
        </span>
        <span className="spacer" />
        <button className="btn primary" onClick={() => act('view.newRun')} data-testid="new-run-button">
          + New run
        </button>
      </div>
      <div className="toolbar">
        <input
          className="input"
          style={{ width: 320 }}
          placeholder="Filter: words, or key=value, best.miou>40 …"
          value={s.filter}
          onChange={(e) => update({ filter: e.target.value })}
          data-testid="runs-filter"
        />
        <select
          className="input"
          value={s.statusFilter ?? ''}
          onChange={(e) => update({ statusFilter: e.target.value || null })}
          data-testid="status-filter"
        >
          <option value="">any status</option>
          {STATUSES.map((st) => (
            <option key={st}>{st}</option>
          ))}
        </select>
        <ColumnChooser columns={s.columns} onChange={(columns) => update({ columns })} />
        <span className="sep" />
        <button
          className="btn"
          disabled={!enabled('view.openRun')}
          onClick={() => act('view.openRun')}
          data-testid="open-run"
        >
          Open
        </button>
        <button
          className="btn"
          disabled={!enabled('view.compare')}
          onClick={() => act('view.compare')}
          data-testid="compare-selected"
          title="Select 2–8 runs"
        >
          Compare {s.selected.length >= 2 ? s.selected.length : ''}
        </button>
        <button className="btn" onClick={() => act('export.runsCsv')} data-testid="export-csv">
          Export CSV{s.selected.length ? ` (${s.selected.length})` : ''}
        </button>
      </div>
      {all.length === 0 && s.connection === 'open' ? (
        <div className="card empty" data-testid="runs-empty">
          <p>No runs yet in this workspace.</p>
          <button
            className="btn primary"
            onClick={() => act('run.newQuickCpu')}
            data-testid="start-quick-cpu"
          >
            Train the quick-cpu demo (synthetic scenes, ~10 min on 2 cores)
          </button>
        </div>
      ) : (
        <div style={{ flex: 1, minHeight: 300 }}>
          <RunsTable
            runs={visible}
            columns={s.columns}
            sort={s.sort}
            onSort={(key) =>
              update({ sort: { key, dir: s.sort.key === key && s.sort.dir === 'desc' ? 'asc' : 'desc' } })
            }
            selected={s.selected}
            onSelect={(selected) => update({ selected })}
            onOpen={(id) => navigate('run', id)}
          />
        </div>
      )}
    </div>
  );
}
