// The command palette: every registered action whose predicate holds, filtered by label/keywords.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useActions } from '../actions/react.ts';
import { useStudio } from '../store/index.ts';

export function CommandPalette() {
  const open = useStudio((s) => s.paletteOpen);
  const update = useStudio((s) => s.update);
  if (!open) return null;
  return <PaletteBody close={() => update({ paletteOpen: false })} />;
}

function PaletteBody({ close }: { close: () => void }) {
  const manager = useActions();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  // Re-read predicates whenever the state changes while the palette is open.
  const state = useStudio((s) => s);
  const results = useMemo(() => manager.search(query), [manager, query, state]);
  useEffect(() => input.current?.focus(), []);
  const run = (id: string) => {
    close();
    void manager.executeAction(id, 'commandPalette');
  };
  return (
    <div className="palette-backdrop" onMouseDown={close}>
      <div className="palette" data-testid="command-palette" onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={input}
          placeholder="Type a command…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setIndex(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
            else if (e.key === 'ArrowDown') setIndex((i) => Math.min(results.length - 1, i + 1));
            else if (e.key === 'ArrowUp') setIndex((i) => Math.max(0, i - 1));
            else if (e.key === 'Enter' && results[index]) run(results[index].id);
            else return;
            e.preventDefault();
            e.stopPropagation();
          }}
        />
        <ul>
          {results.map((a, i) => (
            <li
              key={a.id}
              className={i === index ? 'on' : ''}
              onMouseEnter={() => setIndex(i)}
              onClick={() => run(a.id)}
              data-testid={`palette-item-${a.id}`}
            >
              <span>{a.label}</span>
              {a.shortcut && <kbd>{a.shortcut}</kbd>}
            </li>
          ))}
          {results.length === 0 && <li className="dim">No matching command</li>}
        </ul>
      </div>
    </div>
  );
}
