// A sweep's base: the keys every run sets over its preset. Each key is edited with the new-run
// form's own input for its kind (FieldInput), starting from the value the preset gives it.
import { useMemo, useState } from 'react';
import { effectiveValue, type Draft } from '../newrun/draft.ts';
import { FieldInput } from '../newrun/FieldInput.tsx';
import { configFields } from '../newrun/schemaFields.ts';

export function BaseOverrides(props: {
  preset: string;
  overrides: Draft;
  issues: Record<string, string>;
  onChange: (d: Draft) => void;
}) {
  const { preset, overrides, issues, onChange } = props;
  const fields = useMemo(() => configFields(), []);
  const [adding, setAdding] = useState('');
  const canAdd = fields.some((f) => f.key === adding) && !(adding in overrides);
  const add = () => {
    onChange({ ...overrides, [adding]: effectiveValue(preset, overrides, adding) });
    setAdding('');
  };
  return (
    <div data-testid="sweep-overrides">
      {Object.entries(overrides).map(([key, value]) => {
        const f = fields.find((x) => x.key === key);
        const err = issues[`override.${key}`];
        return (
          <div className="form-row changed" key={key}>
            <label className="key" htmlFor={`sweep-field-${key}`}>
              {key}
            </label>
            <span style={{ display: 'flex', gap: 4, alignItems: 'center' }}>
              <span style={{ flex: 1 }}>
                {f && (
                  <FieldInput
                    id={`sweep-field-${key}`}
                    fieldKey={key}
                    kind={f.kind}
                    value={value}
                    invalid={!!err}
                    onChange={(v) => onChange({ ...overrides, [key]: v })}
                  />
                )}
              </span>
              <button
                className="btn ghost small"
                title="remove"
                onClick={() => {
                  const d = { ...overrides };
                  delete d[key];
                  onChange(d);
                }}
              >
                ✕
              </button>
            </span>
            {err && (
              <span className="err" data-testid="field-error" data-key={key}>
                {err}
              </span>
            )}
          </div>
        );
      })}
      <div style={{ display: 'flex', gap: 6, marginTop: 6 }}>
        <input
          className="input"
          style={{ flex: 1 }}
          list="sweep-config-keys"
          placeholder="config key to set for every run, e.g. train.epochs"
          value={adding}
          onChange={(e) => setAdding(e.target.value.trim())}
          onKeyDown={(e) => e.key === 'Enter' && canAdd && add()}
          data-testid="sweep-override-key"
        />
        <button className="btn small" disabled={!canAdd} onClick={add} data-testid="sweep-override-add">
          Set
        </button>
      </div>
      <datalist id="sweep-config-keys">
        {fields.map((f) => (
          <option key={f.key} value={f.key} />
        ))}
      </datalist>
    </div>
  );
}
