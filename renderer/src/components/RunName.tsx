import { runColor } from '../lib/runColor.ts';

/** A run's stable colour swatch and its name. */
export function RunName({ id, name }: { id: string; name: string }) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6, minWidth: 0 }} title={id}>
      <span className="swatch" style={{ background: runColor(id) }} />
      <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{name}</span>
    </span>
  );
}
