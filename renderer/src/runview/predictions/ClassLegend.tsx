// Legend of the 19 classes: click toggles a class in the overlays, the swatch edits its colour.
import { CLASSES, CLASS_COLORS_HEX } from '../../../../core/api/classes.ts';
import { useStudio } from '../../store/index.ts';

export function ClassLegend() {
  const colors = useStudio((s) => s.classColors);
  const hidden = useStudio((s) => s.hiddenClasses);
  const toggle = useStudio((s) => s.toggleClass);
  const setColor = useStudio((s) => s.setClassColor);
  const update = useStudio((s) => s.update);
  return (
    <div className="legend" data-testid="class-legend">
      {CLASSES.map((c) => (
        <span
          key={c.id}
          className={`legend-item ${hidden.includes(c.id) ? 'off' : ''}`}
          data-testid="class-toggle"
          data-class={c.id}
        >
          <input
            type="color"
            value={colors[c.id]}
            title={`colour of ${c.name}`}
            onChange={(e) => setColor(c.id, e.target.value)}
          />
          <span onClick={() => toggle(c.id)}>{c.name}</span>
        </span>
      ))}
      <button
        className="btn ghost small"
        onClick={() => update({ hiddenClasses: [], classColors: [...CLASS_COLORS_HEX] })}
      >
        reset
      </button>
      <button
        className="btn ghost small"
        onClick={() => update({ hiddenClasses: hidden.length ? [] : CLASSES.map((c) => c.id) })}
      >
        {hidden.length ? 'show all' : 'hide all'}
      </button>
    </div>
  );
}
