// Tags and notes edited in place in the runs table; saved through the API, the table updates from
// the returned run.
import { useState } from 'react';
import type { RunInfo } from '../../../core/api/studio.ts';
import { useApi } from '../api/react.ts';
import { useStudio } from '../store/index.ts';

function useSaveRun() {
  const applyRunsChanged = useStudio((s) => s.applyRunsChanged);
  const toast = useStudio((s) => s.toast);
  return async (p: Promise<RunInfo>) => {
    try {
      applyRunsChanged([await p], []);
    } catch (e) {
      toast('error', (e as Error).message);
    }
  };
}

export function NotesCell({ run }: { run: RunInfo }) {
  const api = useApi();
  const save = useSaveRun();
  const [text, setText] = useState<string | null>(null);
  const commit = () => {
    if (text !== null && text !== run.notes) void save(api.client.runs.setNotes({ id: run.id, notes: text }));
    setText(null);
  };
  return (
    <input
      className="inline-edit"
      data-testid="notes-input"
      placeholder="add a note…"
      value={text ?? run.notes}
      onClick={(e) => e.stopPropagation()}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
        if (e.key === 'Escape') {
          setText(null);
          (e.target as HTMLInputElement).blur();
        }
      }}
    />
  );
}

export function TagsCell({ run }: { run: RunInfo }) {
  const api = useApi();
  const save = useSaveRun();
  const [adding, setAdding] = useState(false);
  return (
    <span
      style={{ display: 'inline-flex', gap: 3, alignItems: 'center', overflow: 'hidden' }}
      onClick={(e) => e.stopPropagation()}
    >
      {run.tags.map((t) => (
        <span className="tag" key={t} data-testid="tag">
          {t}
          <button
            title={`remove tag ${t}`}
            onClick={() => void save(api.client.runs.removeTag({ id: run.id, tag: t }))}
          >
            ×
          </button>
        </span>
      ))}
      {adding ? (
        <input
          className="inline-edit"
          autoFocus
          style={{ width: 80 }}
          data-testid="tag-input"
          onBlur={() => setAdding(false)}
          onKeyDown={(e) => {
            const v = (e.target as HTMLInputElement).value.trim();
            if (e.key === 'Enter' && v) {
              void save(api.client.runs.addTag({ id: run.id, tag: v }));
              setAdding(false);
            }
            if (e.key === 'Escape') setAdding(false);
          }}
        />
      ) : (
        <button
          className="btn ghost small"
          title="add tag"
          data-testid="add-tag"
          onClick={() => setAdding(true)}
        >
          +
        </button>
      )}
    </span>
  );
}
