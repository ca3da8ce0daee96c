// The backend picker: every training backend with what runs it here (the WebGPU adapter's name, the
// package) or why it cannot start, as the engine probed it (system.backendOptions).
import type { BackendOption } from '../../../core/api/studio.ts';

export interface BackendSelectProps {
  id: string;
  value: unknown;
  options: BackendOption[] | undefined;
  invalid: boolean;
  onChange: (v: string) => void;
}

export function BackendSelect({ id, value, options, invalid, onChange }: BackendSelectProps) {
  const chosen = options?.find((o) => o.name === value);
  return (
    <span style={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <select
        id={id}
        data-testid="config-field"
        data-key="backend"
        className={`input ${invalid ? 'invalid' : ''}`}
        value={String(value)}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="auto">auto — the best that starts here</option>
        {(options ?? []).map((o) => (
          <option key={o.name} value={o.name} title={o.detail}>
            {o.name} — {o.available ? o.detail : `not available: ${o.detail}`}
          </option>
        ))}
      </select>
      {chosen && !chosen.available && (
        <span className="note" data-testid="backend-unavailable">
          {chosen.name} cannot start here: {chosen.detail}
        </span>
      )}
    </span>
  );
}
