import { runColor } from '../lib/runColor.ts';

/** A run's stable colour swatch and its name (`color` overrides it, e.g. de-duplicated in compare). */
export function RunName({ id, name, color }: { id: string; name: string; color?: string }) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6, minWidth: 0 }} title={id}>
      <span className="swatch" style={{ background: color ?? runColor(id) }} />
      <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{name}</span>
    </span>
  );
}
