// model.pretrained: off (random init), `imagenet` (the encoder's standard weights, with whether they
// are cached or will be downloaded on first use), or a file/URL (cached imported files suggested).
import type { WeightsInfo } from '../../../core/api/studio.ts';
import { imagenetEntry, megabytes } from './useWeights.ts';

export interface PretrainedInputProps {
  id: string;
  value: unknown;
  encoder: string;
  width: unknown;
  weights: WeightsInfo[] | null;
  invalid: boolean;
  onChange: (v: unknown) => void;
}

type Mode = 'off' | 'imagenet' | 'file';

export function PretrainedInput({
  id,
  value,
  encoder,
  width,
  weights,
  invalid,
  onChange,
}: PretrainedInputProps) {
  const mode: Mode = value === false ? 'off' : value === 'imagenet' ? 'imagenet' : 'file';
  const files = (weights ?? []).filter((w) => w.cached && !w.name.endsWith('.tv_in1k'));
  const std = imagenetEntry(weights, encoder);
  const chosen = mode === 'file' ? files.find((w) => w.path === value) : undefined;
  let status = '';
  if (mode === 'imagenet') {
    status = !std
      ? 'cache state unknown'
      : std.cached
        ? `cached · ${megabytes(std.bytes)} · ${std.source}`
        : std.partial
          ? `partly downloaded (${megabytes(std.bytes)}); the run resumes the download`
          : `not cached: downloaded once on first use (${std.source})`;
    if (width !== 1) status += ' · needs model.width = 1';
  } else if (chosen) {
    status = `${chosen.encoder ?? '?'} · ${megabytes(chosen.bytes)} · ${chosen.source}${chosen.strideIn1x1 ? ' · v1 stride (strideIn1x1 is set by the trainer)' : ''}`;
    if (chosen.encoder && chosen.encoder !== encoder) status += ` · for ${chosen.encoder}, not ${encoder}`;
  }
  return (
    <span style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
      <span style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
        <select
          className="input"
          data-testid="pretrained-mode"
          value={mode}
          onChange={(e) => {
            const m = e.target.value as Mode;
            onChange(m === 'off' ? false : m === 'imagenet' ? 'imagenet' : (files[0]?.path ?? ''));
          }}
        >
          <option value="off">off (random init)</option>
          <option value="imagenet">imagenet{std ? (std.cached ? ' (cached)' : ' (download)') : ''}</option>
          <option value="file">file or URL…</option>
        </select>
        {mode === 'file' && (
          <>
            <input
              id={id}
              data-testid="config-field"
              data-key="model.pretrained"
              className={`input ${invalid ? 'invalid' : ''}`}
              style={{ flex: 1 }}
              list={`${id}-files`}
              placeholder="path or URL of a safetensors file"
              value={String(value)}
              onChange={(e) => onChange(e.target.value)}
            />
            <datalist id={`${id}-files`}>
              {files.map((w) => (
                <option key={w.path} value={w.path}>
                  {w.name}
                </option>
              ))}
            </datalist>
          </>
        )}
      </span>
      {status && (
        <span className="note" data-testid="pretrained-status">
          {status}
        </span>
      )}
    </span>
  );
}
