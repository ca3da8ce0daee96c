// train.log plus warnings/errors from the event log.
import { useEffect, useRef } from 'react';
import { useStudio } from '../store/index.ts';

const MAX_CHARS = 200_000;

export function LogPanel({ runId }: { runId: string }) {
  const text = useStudio((s) => s.logs[runId]) ?? '';
  const h = useStudio((s) => s.histories[runId]);
  useStudio((s) => s.historyVersion[runId]);
  const pre = useRef<HTMLPreElement>(null);
  const shown = text.length > MAX_CHARS ? text.slice(-MAX_CHARS) : text;
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [shown]);
  const events = h?.logs ?? [];
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }} data-testid="log-panel">
      <div className="card">
        <div className="card-head">
          train.log
          {text.length > MAX_CHARS && (
            <span className="sub">
              showing the last {MAX_CHARS.toLocaleString('en-US')} of {text.length.toLocaleString('en-US')}{' '}
              characters
            </span>
          )}
        </div>
        <pre className="log" ref={pre} style={{ margin: 8 }}>
          {shown || '(empty)'}
        </pre>
      </div>
      <div className="card">
        <div className="card-head">
          Log events <span className="sub">{events.length}</span>
        </div>
        <pre className="log" style={{ margin: 8, maxHeight: 240 }}>
          {events
            .slice(-500)
            .map(
              (e) =>
                `${new Date(e.time).toISOString().slice(11, 19)} ${e.level.padEnd(5)} [e${e.epoch} s${e.step}] ${e.message}`,
            )
            .join('\n') || '(none)'}
        </pre>
      </div>
    </div>
  );
}
