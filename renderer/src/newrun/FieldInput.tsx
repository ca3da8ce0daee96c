// One generated input per config field kind. Text the user is typing is kept verbatim in the draft
// when it does not parse, so the schema's own message shows inline instead of the text vanishing.
import type { FieldKind } from './schemaFields.ts';

const parseNumber = (text: string): unknown => {
  const t = text.trim();
  if (t === '') return t;
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
};

const parseList = (text: string): unknown => {
  const parts = text.split(',').map((p) => p.trim());
  const nums = parts.map(Number);
  return parts.every((p) => p !== '') && nums.every(Number.isFinite) ? nums : text;
};

export interface FieldInputProps {
  id: string;
  fieldKey: string;
  kind: FieldKind;
  value: unknown;
  invalid: boolean;
  onChange: (v: unknown) => void;
}

export function FieldInput({ id, fieldKey, kind, value, invalid, onChange }: FieldInputProps) {
  const cls = `input ${invalid ? 'invalid' : ''}`;
  switch (kind.type) {
    case 'enum':
      return (
        <select
          id={id}
          data-testid="config-field"
          data-key={fieldKey}
          className={cls}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        >
          {kind.options.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      );
    case 'boolean':
      return (
        <label className="check">
          <input
            id={id}
            data-testid="config-field"
            data-key={fieldKey}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          {value ? 'on' : 'off'}
        </label>
      );
    case 'number':
      return (
        <span style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
          <input
            id={id}
            data-testid="config-field"
            data-key={fieldKey}
            className={cls}
            style={{ flex: 1 }}
            inputMode="decimal"
            value={value === null ? '' : String(value)}
            placeholder={kind.nullable ? 'none (no cap)' : ''}
            onChange={(e) =>
              onChange(kind.nullable && e.target.value.trim() === '' ? null : parseNumber(e.target.value))
            }
          />
        </span>
      );
    case 'string':
      return (
        <input
          id={id}
          data-testid="config-field"
          data-key={fieldKey}
          className={cls}
          value={String(value ?? '')}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'falseOrString':
      return (
        <span style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
          <label className="check">
            <input
              type="checkbox"
              checked={value !== false}
              onChange={(e) => onChange(e.target.checked ? '' : false)}
            />
          </label>
          <input
            id={id}
            data-testid="config-field"
            data-key={fieldKey}
            className={cls}
            style={{ flex: 1 }}
            disabled={value === false}
            placeholder={value === false ? 'off (random init)' : 'path or URL of a safetensors file'}
            value={value === false ? '' : String(value)}
            onChange={(e) => onChange(e.target.value)}
          />
        </span>
      );
    case 'boolTuple': {
      const arr = Array.isArray(value) ? (value as boolean[]) : Array(kind.length).fill(false);
      return (
        <span id={id} data-testid="config-field" data-key={fieldKey} style={{ display: 'flex', gap: 10 }}>
          {arr.map((b, i) => (
            <label key={i} className="check" title={`layer${i + 2}`}>
              <input
                type="checkbox"
                checked={b}
                onChange={(e) => onChange(arr.map((x, j) => (j === i ? e.target.checked : x)))}
              />
              L{i + 2}
            </label>
          ))}
        </span>
      );
    }
    case 'choiceOrValue':
      return (
        <>
          <input
            id={id}
            data-testid="config-field"
            data-key={fieldKey}
            className={cls}
            list={`${id}-choices`}
            value={String(value ?? '')}
            onChange={(e) => {
              const t = e.target.value;
              onChange(t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : t);
            }}
          />
          <datalist id={`${id}-choices`}>
            {kind.choices.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </>
      );
    case 'json':
      return (
        <input
          id={id}
          data-testid="config-field"
          data-key={fieldKey}
          className={`${cls} mono`}
          value={typeof value === 'string' ? value : JSON.stringify(value)}
          onChange={(e) => {
            try {
              onChange(JSON.parse(e.target.value));
            } catch {
              onChange(e.target.value);
            }
          }}
        />
      );
    case 'numberTuple':
    case 'numberArray':
      return (
        <input
          id={id}
          data-testid="config-field"
          data-key={fieldKey}
          className={cls}
          value={Array.isArray(value) ? value.join(', ') : String(value ?? '')}
          placeholder="comma-separated numbers"
          onChange={(e) => onChange(parseList(e.target.value))}
        />
      );
  }
}
