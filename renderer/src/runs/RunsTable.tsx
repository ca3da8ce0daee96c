// The runs table, virtualised: only the rows in view (plus a margin) are in the DOM, so 1,000+
// runs scroll smoothly. Click selects (Ctrl/⌘ adds, Shift extends), double-click opens the run.
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { RunInfo } from '../../../core/api/studio.ts';
import { formatValue } from '../lib/configDiff.ts';
import { StatusPill } from '../components/StatusPill.tsx';
import { RunName } from '../components/RunName.tsx';
import { fmtAgo, fmtNum, fmtParams } from '../components/format.ts';
import { epochsDone } from '../../../core/api/events.ts';
import { columnLabel, columnValue } from './columns.ts';
import { NotesCell, TagsCell } from './InlineCells.tsx';

export const ROW_HEIGHT = 30;
const OVERSCAN = 8;

interface Col {
  key: string;
  label: string;
  width: number;
  num?: boolean;
  render: (r: RunInfo, open: (id: string) => void) => ReactNode;
}

function fixedColumns(): Col[] {
  return [
    {
      key: 'name',
      label: 'Run',
      width: 230,
      render: (r, open) => (
        <button
          className="btn ghost small"
          style={{ padding: 0, maxWidth: '100%', justifyContent: 'flex-start' }}
          data-testid="run-open"
          title="Open run"
          onClick={(e) => {
            e.stopPropagation();
            open(r.id);
          }}
        >
          <RunName id={r.id} name={r.name} />
        </button>
      ),
    },
    { key: 'status', label: 'Status', width: 100, render: (r) => <StatusPill status={r.status} /> },
    {
      key: 'progress',
      label: 'Epoch',
      width: 90,
      render: (r) => (
        <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6, width: '100%' }}>
          <span className="progress" style={{ flex: 1 }}>
            <div style={{ width: `${r.epochs ? (100 * epochsDone(r)) / r.epochs : 0}%` }} />
          </span>
          <span className="faint" style={{ fontSize: 11 }}>
            {epochsDone(r)}/{r.epochs}
          </span>
        </span>
      ),
    },
    {
      key: 'createdAt',
      label: 'Created',
      width: 80,
      render: (r) => (
        <span className="dim" title={r.createdAt}>
          {fmtAgo(Date.parse(r.createdAt))}
        </span>
      ),
    },
    { key: 'tags', label: 'Tags', width: 150, render: (r) => <TagsCell run={r} /> },
    { key: 'notes', label: 'Notes', width: 200, render: (r) => <NotesCell run={r} /> },
  ];
}

function extraColumn(key: string): Col {
  return {
    key,
    label: columnLabel(key),
    width: Math.max(90, Math.min(160, key.length * 7 + 20)),
    num: true,
    render: (r) => {
      const v = columnValue(r, key);
      if (key === 'params') return fmtParams(v as number | undefined);
      return typeof v === 'number' ? (
        fmtNum(v)
      ) : (
        <span className="mono">{v === undefined ? '' : formatValue(v)}</span>
      );
    },
  };
}

export interface RunsTableProps {
  runs: RunInfo[];
  columns: string[];
  sort: { key: string; dir: 'asc' | 'desc' };
  onSort: (key: string) => void;
  selected: string[];
  onSelect: (ids: string[]) => void;
  onOpen: (id: string) => void;
  height?: number;
}

export function RunsTable(p: RunsTableProps) {
  const cols = [...fixedColumns(), ...p.columns.map(extraColumn)];
  const total = cols.reduce((a, c) => a + c.width, 34);
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: p.height ?? 600 });
  const anchor = useRef<string | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight || p.height || 600 });
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    const ro = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(measure) : null;
    ro?.observe(el);
    return () => {
      el.removeEventListener('scroll', measure);
      ro?.disconnect();
    };
  }, [p.height]);

  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(p.runs.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  const sel = new Set(p.selected);

  const click = (e: React.MouseEvent, id: string, index: number) => {
    if (e.shiftKey && anchor.current) {
      const a = p.runs.findIndex((r) => r.id === anchor.current);
      const [lo, hi] = a < index ? [a, index] : [index, a];
      p.onSelect(p.runs.slice(lo, hi + 1).map((r) => r.id));
      return;
    }
    anchor.current = id;
    if (e.ctrlKey || e.metaKey)
      p.onSelect(sel.has(id) ? p.selected.filter((s) => s !== id) : [...p.selected, id]);
    else p.onSelect(sel.size === 1 && sel.has(id) ? [] : [id]);
  };

  const allSelected = p.runs.length > 0 && p.runs.every((r) => sel.has(r.id));
  return (
    <div className="table-wrap" style={{ height: p.height ?? '100%', minHeight: 200 }}>
      <div className="vgrid" ref={scroller} data-testid="runs-table" data-rows={p.runs.length}>
        <div className="vhead" style={{ width: total }}>
          <div className="vcell" style={{ width: 34 }}>
            <input
              type="checkbox"
              aria-label="select all"
              checked={allSelected}
              onChange={() => p.onSelect(allSelected ? [] : p.runs.map((r) => r.id))}
            />
          </div>
          {cols.map((c) => (
            <div
              key={c.key}
              className={`vcell ${c.num ? 'num' : ''}`}
              style={{ width: c.width }}
              onClick={() => p.onSort(c.key)}
              data-testid={`col-${c.key}`}
              title={c.key}
            >
              {c.label}
              {p.sort.key === c.key && <span>{p.sort.dir === 'asc' ? '▲' : '▼'}</span>}
            </div>
          ))}
        </div>
        <div style={{ height: p.runs.length * ROW_HEIGHT, position: 'relative', width: total }}>
          {p.runs.slice(first, last).map((r, i) => {
            const index = first + i;
            return (
              <div
                key={r.id}
                className={`vrow ${sel.has(r.id) ? 'selected' : ''}`}
                style={{ top: index * ROW_HEIGHT, width: total }}
                data-testid="run-row"
                data-run-id={r.id}
                data-status={r.status}
                onClick={(e) => click(e, r.id, index)}
                onDoubleClick={() => p.onOpen(r.id)}
              >
                <div className="vcell" style={{ width: 34 }}>
                  <input
                    type="checkbox"
                    aria-label={`select ${r.name}`}
                    data-testid="run-select"
                    checked={sel.has(r.id)}
                    onClick={(e) => e.stopPropagation()}
                    onChange={() =>
                      p.onSelect(sel.has(r.id) ? p.selected.filter((s) => s !== r.id) : [...p.selected, r.id])
                    }
                  />
                </div>
                {cols.map((c) => (
                  <div key={c.key} className={`vcell ${c.num ? 'num' : ''}`} style={{ width: c.width }}>
                    {c.render(r, p.onOpen)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
